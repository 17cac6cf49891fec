"""The exporting agency's seal over the ASiCManifest: a detached CAdES signature.

Legal basis: Joint Circular art. 7(5), 13(3) (electronic seal of the agency), art. 4(4)
and 15(1) (a copy of the file whose origin and integrity the receiver can check).

The seal is CAdES-T (ETSI EN 319 122-1): a CMS SignedData over the manifest's bytes,
with the signing-certificate-v2 attribute, the seal certificate and its chain embedded,
and an RFC 3161 signature time-stamp. It is verified at the time the time-stamp proves,
with the revocation data the bundle carries: what matters is that the seal certificate
was good when the agency sealed, however long ago that was.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from asn1crypto import cms, x509
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms, extract_tst_data_iter
from pyhanko_certvalidator import ValidationContext

from casefile.bundle.revocation import RevocationData
from casefile.signing.signers import CertificateHolder, DocumentSigner

__all__ = ["SealCheck", "SealProblem", "seal_manifest", "verify_seal"]


async def seal_manifest(
    manifest: bytes,
    seal_signer: DocumentSigner,
    *,
    timestamper: TimeStamper,
    sealed_at: datetime,
) -> bytes:
    """Seal ``manifest`` (detached CAdES-T); return the DER ContentInfo (``.p7s``)."""
    content_info = await seal_signer.signer.async_sign_general_data(
        manifest,
        "sha256",
        detached=True,
        use_cades=True,
        timestamper=timestamper,
        signed_attr_settings=PdfCMSSignedAttributes(signing_time=sealed_at),
    )
    return content_info.dump()


class SealProblem(StrEnum):
    """What is wrong with a seal; stable values."""

    MALFORMED = "seal_malformed"
    """Not a CMS SignedData, or without a signature time-stamp."""
    BROKEN = "seal_broken"
    """The manifest is not what was sealed, or the signature does not verify."""
    UNTRUSTED = "seal_untrusted"
    """The seal certificate or the time-stamp does not chain to a trust root, or was
    revoked or expired when sealed."""
    WRONG_AGENCY = "seal_wrong_agency"
    """A valid seal, but not of the agency the inventory names as the exporter."""


@dataclass(frozen=True)
class SealCheck:
    problem: SealProblem | None
    detail: str | None
    holder: str | None
    """Common name of the seal certificate."""
    organization: str | None
    """The organization the seal certificate names (the agency)."""
    certificate_serial: str | None
    timestamp_time: datetime | None


def _signed_data(p7s: bytes) -> cms.SignedData:
    info = cms.ContentInfo.load(p7s)
    if info["content_type"].native != "signed_data":
        raise ValueError("not a CMS SignedData object")
    signed_data = info["content"]
    signed_data.native  # parse everything now: asn1crypto is lazy  # noqa: B018
    return signed_data


def _nfc(value: str | None) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


async def verify_seal(
    manifest: bytes,
    p7s: bytes,
    *,
    agency_name: str,
    trust_roots: Sequence[x509.Certificate],
    revocation: RevocationData,
) -> SealCheck:
    """Check the seal over ``manifest``: intact, trusted when sealed, the agency's own.

    The checks run in this order and the first failure is the problem: malformed,
    broken (manifest changed or bad signature), untrusted (at the time-stamp's time),
    wrong agency (the certificate's organization is not ``agency_name``).
    """
    try:
        signed_data = _signed_data(p7s)
        signer_info = signed_data["signer_infos"][0]
        tst = next(extract_tst_data_iter(signer_info, signed=False), None)
    except Exception as exc:  # noqa: BLE001 - asn1crypto raises many kinds on garbage
        return SealCheck(SealProblem.MALFORMED, f"unreadable seal: {exc!r}", None, None, None, None)
    if tst is None:
        return SealCheck(
            SealProblem.MALFORMED, "the seal has no signature time-stamp", None, None, None, None
        )
    sealed_time = tst["encap_content_info"]["content"].parsed["gen_time"].native

    def context() -> ValidationContext:
        # at the time the time-stamp proves, with only the bundle's revocation data
        return ValidationContext(
            trust_roots=list(trust_roots),
            moment=sealed_time,
            crls=list(revocation.crls),
            ocsps=list(revocation.ocsps),
            allow_fetching=False,
            revocation_mode="require",
        )

    try:
        status = await async_validate_detached_cms(
            manifest,
            signed_data,
            signer_validation_context=context(),
            ts_validation_context=context(),
        )
    except Exception as exc:  # noqa: BLE001 - pyHanko raises on structurally bad CMS
        return SealCheck(SealProblem.MALFORMED, f"unreadable seal: {exc!r}", None, None, None, None)
    holder = CertificateHolder.from_certificate(status.signing_cert)
    ts = status.timestamp_validity

    def check(problem: SealProblem | None, detail: str | None) -> SealCheck:
        return SealCheck(
            problem,
            detail,
            holder.name,
            holder.organization,
            format(status.signing_cert.serial_number, "x"),
            ts.timestamp if ts is not None else None,
        )

    if not status.intact:
        return check(SealProblem.BROKEN, "the manifest is not the one that was sealed")
    if not status.valid:
        return check(SealProblem.BROKEN, "the seal's signature does not verify")
    if ts is None or not (ts.intact and ts.valid):
        return check(SealProblem.BROKEN, "the seal's time-stamp does not verify")
    if not ts.trusted:
        return check(SealProblem.UNTRUSTED, "the seal's time-stamp is not from a trusted TSA")
    if not status.bottom_line:
        indication = status.trust_problem_indic
        why = indication.name if indication is not None else "not trusted"
        return check(SealProblem.UNTRUSTED, f"the seal certificate is not trusted: {why}")
    if _nfc(holder.organization) != _nfc(agency_name):
        return check(
            SealProblem.WRONG_AGENCY,
            f"sealed by {holder.organization or holder.name!r}, "
            f"but the inventory names {agency_name!r} as the exporting agency",
        )
    return check(None, None)
