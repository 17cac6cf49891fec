"""Validate every signature and document time-stamp of a PDF, offline, with a verdict.

Legal basis: Joint Circular art. 7(2) (certificate effective at the time of signing),
art. 7(3) (content complete and not altered after signing), art. 9(1)-(3) and art. 15(1)
(the receiving agency verifies a transferred file), art. 17(1)(a) (verification of
digital certificates, automatic authentication of signatures, integrity checks).

Signatures go through pyHanko's AdES validation (ETSI EN 319 102-1, with PAdES long-term
processing: the document's DSS and document time-stamps are used as evidence), and the
verdict is gated on pyHanko's ``bottom_line`` (integrity, cryptographic validity, trust,
time-stamp validity, DocMDP compliance) *and* on the AdES indication; ``valid`` alone
says nothing about a flipped byte or an untrusted certificate.

"Offline": only the given trust roots, the validation data embedded in the document (DSS)
and, if a :class:`~pyhanko_certvalidator.fetchers.api.FetcherBackend` is supplied, the
revocation services it reaches (the in-process demo services; never the Internet unless
a caller passes a backend that goes there).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from io import BytesIO
from typing import Any

from asn1crypto import crl, ocsp, x509
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESPassed, AdESStatus
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.validation import ades
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import (
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import DocumentTimestampStatus, PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.errors import PathBuildingError
from pyhanko_certvalidator.fetchers.api import FetcherBackend
from pyhanko_certvalidator.policy_decl import (
    REQUIRE_REVINFO,
    CertRevTrustPolicy,
    FreshnessReqType,
)
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

from casefile.signing.signers import CertificateHolder

__all__ = [
    "CertificateStatus",
    "DocumentValidation",
    "PadesProfile",
    "ReasonCode",
    "SignatureKind",
    "SignatureValidation",
    "ValidationPolicy",
    "Verdict",
    "validate_pdf",
]


class Verdict(StrEnum):
    """Outcome of a validation (ETSI main indications, in hoso's words)."""

    VALID = "valid"
    """Hợp lệ: everything checked out."""
    INVALID = "invalid"
    """Không hợp lệ: a definite defect (altered content, revoked/expired/untrusted...)."""
    INDETERMINATE = "indeterminate"
    """Chưa xác định: not enough data to decide (e.g. revocation data unavailable)."""


class ReasonCode(StrEnum):
    """Why a signature or the document got its verdict; stable values, for callers."""

    OK = "OK"
    NO_SIGNATURES = "NO_SIGNATURES"
    FORMAT_ERROR = "FORMAT_ERROR"
    HASH_MISMATCH = "HASH_MISMATCH"
    """The signed bytes were altered (art. 7(3))."""
    SIGNATURE_CRYPTO_FAILURE = "SIGNATURE_CRYPTO_FAILURE"
    MODIFIED_AFTER_SIGNING = "MODIFIED_AFTER_SIGNING"
    """A later incremental update made changes the signature does not allow (art. 7(3))."""
    CERTIFICATE_REVOKED = "CERTIFICATE_REVOKED"
    """The certificate was revoked at the time of signing (art. 7(2))."""
    CERTIFICATE_EXPIRED = "CERTIFICATE_EXPIRED"
    """The certificate had expired at the time of signing (art. 7(2))."""
    CERTIFICATE_NOT_YET_VALID = "CERTIFICATE_NOT_YET_VALID"
    UNTRUSTED_CERTIFICATE = "UNTRUSTED_CERTIFICATE"
    """No chain to a trusted root (unknown CA)."""
    TIMESTAMP_INVALID = "TIMESTAMP_INVALID"
    MISSING_TIMESTAMP = "MISSING_TIMESTAMP"
    """No signature time-stamp: below PAdES B-T, which officials must reach."""
    REVOCATION_UNAVAILABLE = "REVOCATION_UNAVAILABLE"
    OTHER = "OTHER"


class CertificateStatus(StrEnum):
    """Status of the signer's certificate at the time of signing."""

    GOOD = "good"
    REVOKED = "revoked"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    UNTRUSTED = "untrusted"
    UNKNOWN = "unknown"


class SignatureKind(StrEnum):
    SIGNATURE = "signature"
    CERTIFICATION = "certification"
    DOCUMENT_TIMESTAMP = "document_timestamp"


class PadesProfile(StrEnum):
    """PAdES baseline level reached (ETSI EN 319 142-1)."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"
    NONE = "-"
    """Not a PAdES signature (document time-stamp, or legacy sub-filter)."""


@dataclass(frozen=True)
class ValidationPolicy:
    """What to trust and where revocation data may come from."""

    trust_roots: tuple[x509.Certificate, ...]
    """Trust anchors (the demo root; in production the national root CAs)."""
    fetcher_backend: FetcherBackend | None = None
    """Source of fresh CRLs/OCSP; ``None``: only what the document embeds (DSS)."""
    require_timestamp: bool = True
    """Signatures without a signature time-stamp are invalid (below PAdES B-T)."""
    extra_crls: tuple[bytes, ...] = ()
    """DER CRLs to use besides the DSS (e.g. archived with the case file)."""
    extra_ocsps: tuple[bytes, ...] = ()
    """DER OCSP responses to use besides the DSS."""


@dataclass(frozen=True)
class SignatureValidation:
    """The validation of one signature or document time-stamp. JSON-serializable."""

    field_name: str
    kind: SignatureKind
    verdict: Verdict
    reason: ReasonCode
    reason_detail: str | None
    """pyHanko's message, in English, for logs and experts."""
    bottom_line: bool
    """pyHanko's overall judgement (never ``valid`` alone)."""
    signer_name: str
    signer_subject: str
    issuer_subject: str
    certificate_serial: str
    certificate_status: CertificateStatus
    """Status of the certificate at the time of signing."""
    revocation_time: datetime | None
    claimed_signing_time: datetime | None
    """Time the signer's software claimed (not proof)."""
    timestamp_time: datetime | None
    """Time in the signature time-stamp (or the document time-stamp itself)."""
    best_signature_time: datetime | None
    """Earliest proven time of existence used by the AdES validation."""
    intact: bool
    """The signed bytes hash to the signed digest."""
    crypto_valid: bool
    trusted: bool
    coverage: str | None
    """ENTIRE_FILE, ENTIRE_REVISION (later updates follow) or worse."""
    modification_level: str | None
    """Changes after this signature: NONE, LTA_UPDATES, FORM_FILLING, ANNOTATIONS, OTHER."""
    docmdp_ok: bool | None
    signed_revision: int
    later_revisions: int
    """Incremental updates made after this signature."""
    certification_permission: str | None
    """For a certification signature: the DocMDP level it allows."""
    pades_level: PadesProfile
    ades_indication: str
    """ETSI main indication: TOTAL_PASSED, TOTAL_FAILED, INDETERMINATE."""
    ades_subindication: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (times as ISO 8601 strings)."""
        return {k: _jsonable(v) for k, v in dataclasses.asdict(self).items()}


@dataclass(frozen=True)
class DocumentValidation:
    """The validation of a whole PDF. JSON-serializable through :meth:`to_dict`."""

    verdict: Verdict
    reason: ReasonCode
    validation_time: datetime
    revisions: int
    signatures: tuple[SignatureValidation, ...]
    raw: tuple[tuple[EmbeddedPdfSignature, Any], ...] = field(default=(), repr=False, compare=False)
    """pyHanko objects (embedded signature, AdES result) for the ETSI report; not JSON."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (times as ISO 8601 strings)."""
        return {
            "verdict": self.verdict.value,
            "reason": self.reason.value,
            "validation_time": self.validation_time.isoformat(),
            "revisions": self.revisions,
            "signatures": [s.to_dict() for s in self.signatures],
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def _signature_spec(policy: ValidationPolicy) -> SignatureValidationSpec:
    knowledge = LocalKnowledge(
        known_crls=[CRLContainer(crl.CertificateList.load(c)) for c in policy.extra_crls],
        known_ocsps=[
            cont
            for o in policy.extra_ocsps
            for cont in OCSPContainer.load_multi(ocsp.OCSPResponse.load(o))
        ],
    )
    return SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(list(policy.trust_roots)),
            revinfo_policy=CertRevTrustPolicy(
                revocation_checking_policy=REQUIRE_REVINFO,
                freshness_req_type=FreshnessReqType.DEFAULT,
            ),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=(
                RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
                if policy.fetcher_backend is not None
                else RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
            fetcher_backend=policy.fetcher_backend,
        ),
        local_knowledge=knowledge,
    )


def _timestamp_context(
    reader: PdfFileReader, policy: ValidationPolicy, moment: datetime | None = None
) -> ValidationContext:
    kwargs: dict[str, Any] = {
        "trust_roots": list(policy.trust_roots),
        "moment": moment,
        "allow_fetching": policy.fetcher_backend is not None,
        "fetcher_backend": policy.fetcher_backend,
        "revocation_mode": "require",
        "crls": list(policy.extra_crls),
        "ocsps": list(policy.extra_ocsps),
    }
    try:
        return DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
    except NoDSSFoundError:
        return ValidationContext(**kwargs)


def _dss_has_revinfo(reader: PdfFileReader) -> bool:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return False
    return bool(dss.crls or dss.ocsps)


async def validate_pdf(
    pdf: bytes, policy: ValidationPolicy, *, proven_at: datetime | None = None
) -> DocumentValidation:
    """Validate every signature and document time-stamp in ``pdf``.

    Legal basis: Joint Circular art. 7(2)-(3), art. 17(1)(a).

    The document is :attr:`Verdict.VALID` when it has at least one signature and every
    signature and time-stamp is valid; :attr:`Verdict.INVALID` when any is invalid;
    :attr:`Verdict.INDETERMINATE` otherwise.

    :param proven_at: a time at which these exact bytes are proven to have existed by
        evidence outside the PDF (e.g. a sealed and time-stamped bundle listing their
        hash): the validation is then done as of that time (ETSI EN 319 102-1 past
        signature validation), with revocation data that was current then. Default: now.
    """
    from pyhanko_certvalidator.ltv.types import ValidationTimingInfo

    timing = (
        ValidationTimingInfo.now()
        if proven_at is None
        else ValidationTimingInfo(
            validation_time=proven_at, best_signature_time=proven_at, point_in_time_validation=True
        )
    )
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 - any parse failure is a format error
        return DocumentValidation(
            verdict=Verdict.INVALID,
            reason=ReasonCode.FORMAT_ERROR,
            validation_time=timing.validation_time,
            revisions=0,
            signatures=(),
        )
    revisions = reader.xrefs.total_revisions
    sig_spec = _signature_spec(policy)
    spec = PdfSignatureValidationSpec(signature_validation_spec=sig_spec)
    has_dss = _dss_has_revinfo(reader)
    doc_ts_revisions = [e.signed_revision for e in embedded if e.sig_object_type == "/DocTimeStamp"]

    results: list[SignatureValidation] = []
    raw: list[tuple[EmbeddedPdfSignature, Any]] = []
    for emb in embedded:
        if emb.sig_object_type == "/DocTimeStamp":
            result, ts_status = await _validate_doc_timestamp(
                emb, reader, policy, revisions, proven_at
            )
            results.append(result)
            raw.append((emb, ts_status))
            continue
        doc_ts_after = any(r > emb.signed_revision for r in doc_ts_revisions)
        try:
            ades_result: ades.AdESWithTimeValidationResult
            if has_dss and doc_ts_after:
                # PAdES long-term processing: the DSS holds the validation data and the
                # document time-stamps prove it existed in time
                ades_result = await ades.ades_lta_validation(emb, spec, timing_info=timing)
                if ades_result.ades_subindic is not AdESPassed.OK:
                    # the data may simply be incomplete for this signature (e.g. the DSS
                    # was added for a later one): validation with time may still succeed
                    current = await _validate_with_time(emb, reader, sig_spec, timing)
                    if current.ades_subindic is AdESPassed.OK:
                        ades_result = current
            else:
                ades_result = await _validate_with_time(emb, reader, sig_spec, timing)
        except SignatureValidationError as exc:
            results.append(_format_error(emb, revisions, str(exc)))
            continue
        results.append(
            await _summarise_signature(
                emb,
                ades_result,
                revisions=revisions,
                policy=policy,
                has_dss=has_dss,
                doc_ts_after=doc_ts_after,
                trust_roots=policy.trust_roots,
            )
        )
        raw.append((emb, ades_result))

    verdict, reason = _overall(results)
    return DocumentValidation(
        verdict=verdict,
        reason=reason,
        validation_time=timing.validation_time,
        revisions=revisions,
        signatures=tuple(results),
        raw=tuple(raw),
    )


async def _validate_with_time(
    emb: EmbeddedPdfSignature,
    reader: PdfFileReader,
    spec: SignatureValidationSpec,
    timing: Any,
) -> ades.AdESWithTimeValidationResult:
    """AdES validation with time (B-T, B-LT): the signature time-stamp proves the time."""
    emb.compute_integrity_info(diff_policy=DEFAULT_DIFF_POLICY)
    dss = _dss_knowledge(reader)
    known = spec.local_knowledge
    spec = dataclasses.replace(
        spec,
        local_knowledge=LocalKnowledge(
            known_ocsps=known.known_ocsps + dss.known_ocsps,
            known_crls=known.known_crls + dss.known_crls,
            known_certs=known.known_certs + dss.known_certs,
        ),
    )
    return await ades.ades_with_time_validation(
        emb.signed_data,
        spec,
        timing_info=timing,
        raw_digest=emb.compute_digest(),
        extra_status_kwargs=emb.summarise_integrity_info(),
        status_cls=PdfSignatureStatus,
    )


def _dss_knowledge(reader: PdfFileReader) -> LocalKnowledge:
    """Certificates, CRLs and OCSP responses of the document security store."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return LocalKnowledge()
    return LocalKnowledge(
        known_ocsps=[
            cont
            for ref in dss.ocsps
            for cont in OCSPContainer.load_multi(
                ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
            )
        ],
        known_crls=[
            CRLContainer(crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL)))
            for ref in dss.crls
        ],
        known_certs=list(dss.load_certs()),
    )


async def _chain_exists(
    emb: EmbeddedPdfSignature, reader: PdfFileReader, roots: Sequence[x509.Certificate]
) -> bool:
    """Whether the signer's certificate chains up to a trust root (revocation aside)."""
    vc = ValidationContext(
        trust_roots=list(roots),
        other_certs=[*emb.other_embedded_certs, *_dss_knowledge(reader).known_certs],
    )
    try:
        paths = await vc.path_builder.async_build_paths(emb.signer_cert)
    except PathBuildingError:
        return False
    return bool(paths)


def _overall(results: Sequence[SignatureValidation]) -> tuple[Verdict, ReasonCode]:
    if not results:
        return Verdict.INVALID, ReasonCode.NO_SIGNATURES
    for r in results:
        if r.verdict is Verdict.INVALID:
            return Verdict.INVALID, r.reason
    for r in results:
        if r.verdict is Verdict.INDETERMINATE:
            return Verdict.INDETERMINATE, r.reason
    return Verdict.VALID, ReasonCode.OK


def _cert_facts(cert: x509.Certificate) -> dict[str, Any]:
    return {
        "signer_name": CertificateHolder.from_certificate(cert).name,
        "signer_subject": cert.subject.human_friendly,
        "issuer_subject": cert.issuer.human_friendly,
        "certificate_serial": format(cert.serial_number, "x"),
    }


def _format_error(emb: EmbeddedPdfSignature, revisions: int, detail: str) -> SignatureValidation:
    try:
        facts = _cert_facts(emb.signer_cert)
    except Exception:  # noqa: BLE001 - the CMS itself may be unreadable
        facts = {
            "signer_name": "",
            "signer_subject": "",
            "issuer_subject": "",
            "certificate_serial": "",
        }
    return SignatureValidation(
        field_name=str(emb.field_name),
        kind=SignatureKind.SIGNATURE,
        verdict=Verdict.INVALID,
        reason=ReasonCode.FORMAT_ERROR,
        reason_detail=detail,
        bottom_line=False,
        certificate_status=CertificateStatus.UNKNOWN,
        revocation_time=None,
        claimed_signing_time=None,
        timestamp_time=None,
        best_signature_time=None,
        intact=False,
        crypto_valid=False,
        trusted=False,
        coverage=None,
        modification_level=None,
        docmdp_ok=None,
        signed_revision=emb.signed_revision,
        later_revisions=max(0, revisions - 1 - emb.signed_revision),
        certification_permission=None,
        pades_level=PadesProfile.NONE,
        ades_indication=AdESStatus.FAILED.name,
        ades_subindication=AdESFailure.FORMAT_FAILURE.name,
        **facts,
    )


_REVOKED = {AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE}
_EXPIRED = {
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
}
_NOT_YET_VALID = {AdESFailure.NOT_YET_VALID, AdESIndeterminate.NOT_YET_VALID}
_UNTRUSTED = {
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND,
    AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE,
    AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE,
    AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND,
}
_NO_REVINFO = {
    AdESIndeterminate.TRY_LATER,
    AdESIndeterminate.NO_POE,
    AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.REVOKED_CA_NO_POE,
}


async def _summarise_signature(
    emb: EmbeddedPdfSignature,
    result: ades.AdESWithTimeValidationResult,
    *,
    revisions: int,
    policy: ValidationPolicy,
    has_dss: bool,
    doc_ts_after: bool,
    trust_roots: Sequence[x509.Certificate],
) -> SignatureValidation:
    status: PdfSignatureStatus | None = result.api_status
    subindic = result.ades_subindic
    cert = emb.signer_cert
    # integrity facts do not depend on trust: compute them even when AdES stopped early
    if status is None:
        # AdES stopped before producing a status: get the integrity facts without trust
        status = await async_validate_pdf_signature(
            emb, signer_validation_context=ValidationContext(trust_roots=[])
        )
        intact, crypto_valid, trusted = status.intact, status.valid, False
        docmdp_ok = status.docmdp_ok
        level = status.modification_level
        modification_level = level.name if level is not None else None
        coverage = status.coverage.name if status.coverage is not None else None
        bottom_line = False
        revocation_time = None
        ts_time = None
        ts_ok = True
    else:
        intact, crypto_valid, trusted = status.intact, status.valid, status.trusted
        docmdp_ok = status.docmdp_ok
        level = status.modification_level
        modification_level = level.name if level is not None else None
        coverage = status.coverage.name if status.coverage is not None else None
        bottom_line = status.bottom_line
        revocation_time = (
            status.revocation_details.revocation_date if status.revocation_details else None
        )
        tsv = status.timestamp_validity
        ts_time = tsv.timestamp if tsv is not None else None
        ts_ok = tsv is None or (tsv.intact and tsv.valid and tsv.trusted)

    tst = next(extract_tst_data_iter(emb.signer_info, signed=False), None)
    has_tst = tst is not None
    if ts_time is None and tst is not None:
        # the AdES process stopped before reporting on the time-stamp: read its time
        ts_time = tst["encap_content_info"]["content"].parsed["gen_time"].native
    signing_time = result.best_signature_time
    cert_status = _certificate_status(cert, subindic, signing_time, trusted, revocation_time)
    if cert_status is CertificateStatus.UNTRUSTED and await _chain_exists(
        emb, emb.reader, trust_roots
    ):
        # pyHanko reports missing revocation data as a general chain failure
        cert_status = CertificateStatus.UNKNOWN
        subindic = AdESIndeterminate.TRY_LATER

    if not intact:
        verdict, reason = Verdict.INVALID, ReasonCode.HASH_MISMATCH
    elif not crypto_valid or subindic is AdESFailure.SIG_CRYPTO_FAILURE:
        verdict, reason = Verdict.INVALID, ReasonCode.SIGNATURE_CRYPTO_FAILURE
    elif docmdp_ok is False or modification_level == ModificationLevel.OTHER.name:
        verdict, reason = Verdict.INVALID, ReasonCode.MODIFIED_AFTER_SIGNING
    elif cert_status is CertificateStatus.REVOKED:
        verdict, reason = Verdict.INVALID, ReasonCode.CERTIFICATE_REVOKED
    elif cert_status is CertificateStatus.EXPIRED:
        verdict, reason = Verdict.INVALID, ReasonCode.CERTIFICATE_EXPIRED
    elif cert_status is CertificateStatus.NOT_YET_VALID:
        verdict, reason = Verdict.INVALID, ReasonCode.CERTIFICATE_NOT_YET_VALID
    elif cert_status is CertificateStatus.UNTRUSTED:
        verdict, reason = Verdict.INVALID, ReasonCode.UNTRUSTED_CERTIFICATE
    elif not ts_ok:
        verdict, reason = Verdict.INVALID, ReasonCode.TIMESTAMP_INVALID
    elif subindic in _NO_REVINFO:
        verdict, reason = Verdict.INDETERMINATE, ReasonCode.REVOCATION_UNAVAILABLE
    elif policy.require_timestamp and not has_tst:
        verdict, reason = Verdict.INVALID, ReasonCode.MISSING_TIMESTAMP
    elif bottom_line and subindic is AdESPassed.OK:
        verdict, reason = Verdict.VALID, ReasonCode.OK
    elif subindic.status is AdESStatus.INDETERMINATE:
        verdict, reason = Verdict.INDETERMINATE, ReasonCode.OTHER
    else:
        verdict, reason = Verdict.INVALID, ReasonCode.OTHER

    if not has_tst:
        pades = PadesProfile.B_B
    elif has_dss and doc_ts_after:
        pades = PadesProfile.B_LTA
    elif has_dss:
        pades = PadesProfile.B_LT
    else:
        pades = PadesProfile.B_T
    if str(emb.sig_object.get("/SubFilter")) != "/ETSI.CAdES.detached":
        pades = PadesProfile.NONE

    certification = emb.docmdp_level
    return SignatureValidation(
        field_name=str(emb.field_name),
        kind=SignatureKind.CERTIFICATION if certification else SignatureKind.SIGNATURE,
        verdict=verdict,
        reason=reason,
        reason_detail=result.failure_msg,
        bottom_line=bottom_line,
        certificate_status=cert_status,
        revocation_time=revocation_time,
        claimed_signing_time=emb.self_reported_timestamp,
        timestamp_time=ts_time,
        best_signature_time=signing_time,
        intact=intact,
        crypto_valid=crypto_valid,
        trusted=trusted,
        coverage=coverage,
        modification_level=modification_level,
        docmdp_ok=docmdp_ok,
        signed_revision=emb.signed_revision,
        later_revisions=max(0, revisions - 1 - emb.signed_revision),
        certification_permission=certification.name if certification else None,
        pades_level=pades,
        ades_indication=subindic.status.name,
        ades_subindication=None if subindic is AdESPassed.OK else subindic.name,
        **_cert_facts(cert),
    )


def _certificate_status(
    cert: x509.Certificate,
    subindic: Any,
    signing_time: datetime | None,
    trusted: bool,
    revocation_time: datetime | None,
) -> CertificateStatus:
    if subindic in _REVOKED or (
        revocation_time is not None and (signing_time is None or revocation_time <= signing_time)
    ):
        return CertificateStatus.REVOKED
    if signing_time is not None:
        if signing_time > cert.not_valid_after:
            return CertificateStatus.EXPIRED
        if signing_time < cert.not_valid_before:
            return CertificateStatus.NOT_YET_VALID
    if subindic in _EXPIRED:
        return CertificateStatus.EXPIRED
    if subindic in _NOT_YET_VALID:
        return CertificateStatus.NOT_YET_VALID
    if subindic in _UNTRUSTED:
        return CertificateStatus.UNTRUSTED
    if subindic in _NO_REVINFO:
        return CertificateStatus.UNKNOWN
    return CertificateStatus.GOOD if trusted else CertificateStatus.UNKNOWN


async def _validate_doc_timestamp(
    emb: EmbeddedPdfSignature,
    reader: PdfFileReader,
    policy: ValidationPolicy,
    revisions: int,
    proven_at: datetime | None = None,
) -> tuple[SignatureValidation, DocumentTimestampStatus | None]:
    cert = emb.signer_cert
    try:
        status = await async_validate_pdf_timestamp(
            emb, validation_context=_timestamp_context(reader, policy, proven_at)
        )
    except SignatureValidationError as exc:
        return _format_error(emb, revisions, str(exc)), None
    level = status.modification_level
    # a document time-stamp has no bottom_line of its own in pyHanko: apply the same rule
    bottom_line = bool(
        status.intact
        and status.valid
        and status.trusted
        and level is not None
        and level is not ModificationLevel.OTHER
    )
    if not status.intact:
        verdict, reason = Verdict.INVALID, ReasonCode.HASH_MISMATCH
    elif not status.valid:
        verdict, reason = Verdict.INVALID, ReasonCode.SIGNATURE_CRYPTO_FAILURE
    elif level is None or level is ModificationLevel.OTHER:
        verdict, reason = Verdict.INVALID, ReasonCode.MODIFIED_AFTER_SIGNING
    elif status.revoked:
        verdict, reason = Verdict.INVALID, ReasonCode.CERTIFICATE_REVOKED
    elif not status.trusted:
        verdict, reason = Verdict.INVALID, ReasonCode.UNTRUSTED_CERTIFICATE
    else:
        verdict, reason = Verdict.VALID, ReasonCode.OK
    cert_status = (
        CertificateStatus.GOOD
        if status.trusted
        else CertificateStatus.REVOKED
        if status.revoked
        else CertificateStatus.UNTRUSTED
    )
    summary = SignatureValidation(
        field_name=str(emb.field_name),
        kind=SignatureKind.DOCUMENT_TIMESTAMP,
        verdict=verdict,
        reason=reason,
        reason_detail=None,
        bottom_line=bottom_line,
        certificate_status=cert_status,
        revocation_time=None,
        claimed_signing_time=None,
        timestamp_time=status.timestamp,
        best_signature_time=status.timestamp,
        intact=status.intact,
        crypto_valid=status.valid,
        trusted=status.trusted,
        coverage=status.coverage.name if status.coverage is not None else None,
        modification_level=level.name if level is not None else None,
        docmdp_ok=None,
        signed_revision=emb.signed_revision,
        later_revisions=max(0, revisions - 1 - emb.signed_revision),
        certification_permission=None,
        pades_level=PadesProfile.NONE,
        ades_indication=(AdESStatus.PASSED if bottom_line else AdESStatus.FAILED).name,
        ades_subindication=None,
        **_cert_facts(cert),
    )
    return summary, status
