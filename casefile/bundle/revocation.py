"""Revocation data gathered at export, so that a bundle is verified with no network.

The documents of a case file are mostly PAdES B-T: their CMS objects embed certificates
but no CRL or OCSP response, and a verifier with no network could not say whether a
signer's certificate was revoked. At export the agency fetches, for every certificate in
the PDFs and in its own seal, the CRLs and OCSP responses that validate it, and puts them
into the bundle (listed in the sealed manifest); the verifier gives them to pyHanko as
local knowledge.

Legal basis: Joint Circular art. 7(2) (certificate effective at the time of signing),
art. 15(1) (the receiving agency verifies the legality of the file).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from asn1crypto import cms, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.fetchers.api import FetcherBackend

from casefile.confirmation import SealedConfirmation

__all__ = [
    "RevocationData",
    "certificates_of_cms",
    "certificates_of_pdf",
    "certificates_of_sealed",
    "collect_revocation_data",
]


@dataclass(frozen=True)
class RevocationData:
    """DER CRLs and OCSP responses, each once."""

    crls: tuple[bytes, ...] = ()
    ocsps: tuple[bytes, ...] = ()

    def files(self) -> dict[str, bytes]:
        """Bundle paths (named by content hash, so names never collide) and bytes."""
        named = {f"validation/{_sha256(c)}.crl": c for c in self.crls}
        named |= {f"validation/{_sha256(o)}.ocsp": o for o in self.ocsps}
        return named


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def certificates_of_cms(signed_data: cms.SignedData) -> list[x509.Certificate]:
    """Every certificate a CMS SignedData embeds, and those of its signature time-stamps."""
    found = [c.chosen for c in signed_data["certificates"] if c.name == "certificate"]
    for signer_info in signed_data["signer_infos"]:
        for tst in extract_tst_data_iter(signer_info, signed=False):
            found += certificates_of_cms(tst)
    return found


def certificates_of_pdf(pdf: bytes) -> list[x509.Certificate]:
    """Every certificate in the signatures and document time-stamps of ``pdf`` (none if
    it cannot be parsed: its verification will say so)."""
    try:
        embedded = list(PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures)
    except Exception:  # noqa: BLE001 - pyHanko raises many kinds on broken PDFs
        return []
    return [cert for emb in embedded for cert in certificates_of_cms(emb.signed_data)]


def certificates_of_sealed(data: bytes) -> list[x509.Certificate]:
    """Every certificate in the seal of a sealed confirmation (JSON, as in a bundle)."""
    try:
        sealed = SealedConfirmation.model_validate_json(data)
        return certificates_of_cms(cms.ContentInfo.load(sealed.seal)["content"])
    except Exception:  # noqa: BLE001 - unreadable: its verification will say so
        return []


async def collect_revocation_data(
    certificates: Iterable[x509.Certificate],
    *,
    trust_roots: Sequence[x509.Certificate],
    fetcher_backend: FetcherBackend,
    moment: datetime | None = None,
) -> RevocationData:
    """Fetch what validates each of ``certificates`` and its chain as of ``moment`` (now).

    A certificate that does not chain to ``trust_roots`` or fails validation gets no
    data (the bundle's verification will then name the signature that does not validate);
    this function never decides validity.
    """
    certs = {cert.sha256: cert for cert in certificates}
    roots = {root.sha256 for root in trust_roots}
    context = ValidationContext(
        trust_roots=list(trust_roots),
        other_certs=list(certs.values()),
        moment=moment,
        allow_fetching=True,
        fetcher_backend=fetcher_backend,
        revocation_mode="require",
    )
    for fingerprint, cert in certs.items():
        if fingerprint in roots:
            continue
        try:
            await CertificateValidator(cert, validation_context=context).async_validate_path()
        except (PathBuildingError, PathValidationError):
            continue
    crls = {c.dump(): None for c in context.crls}
    ocsps = {o.dump(): None for o in context.ocsps}
    return RevocationData(crls=tuple(crls), ocsps=tuple(ocsps))
