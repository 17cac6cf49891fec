"""Confirmation of a document by a participant in an alternative form, sealed by the agency.

Legal basis: Joint Circular art. 6(1)-(2) (fingerprint on an electronic device, signature
on the screen of a dedicated device, or multi-factor authentication, when the participant
cannot sign digitally), art. 7(6)(a) (the participant saw the full document and the
confirmation is bound to its integrity), art. 7(6)(b) (electronic log of the time, the
form and the technical information), art. 7(6)(c) (biometric data: only hashes here),
art. 13(3) (electronic seal), art. 17(1)(a) (identity, non-repudiation, integrity),
art. 17(2)(c) (multi-factor authentication: electronic account plus OTP).

Pure domain code, no I/O, no clock reads: every time is passed in.

- :class:`ConfirmationRecord` is the log entry of art. 7(6)(b). It names the document and
  the participant, and holds the SHA-256 of the exact PDF bytes shown to the participant
  (art. 7(6)(a)), the technical information and the evidence of the form used. Biometric
  and image data are stored elsewhere; the record keeps only their SHA-256 (art. 7(6)(c)).
- :func:`issue_otp` and :func:`verify_otp` handle the one-time code of the multi-factor
  form. The participant is already logged in to an electronic account (first factor) and
  enters a code sent to them (second factor).
- :func:`seal_confirmation` signs the record's canonical JSON with the agency's
  electronic seal: a detached CMS signature made with pyHanko. :func:`verify_confirmation`
  checks the seal, the record and the PDF, and returns a verdict and a reason code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from asn1crypto import cms, x509
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyAddress,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.api import FetcherBackend

from casefile.blobstore import sha256_hex
from casefile.errors import InvalidCode, InvalidInput, NotPermitted
from casefile.filecodes import ExtensionKind, parse_extended_code
from casefile.signing.signers import CertificateHolder, DocumentSigner
from casefile.signing.validation import Verdict

__all__ = [
    "MAX_OTP_ATTEMPTS",
    "OTP_DIGITS",
    "OTP_TTL",
    "ConfirmationForm",
    "ConfirmationReason",
    "ConfirmationRecord",
    "ConfirmationVerification",
    "Finger",
    "FingerprintEvidence",
    "IssuedOtp",
    "OtpChallenge",
    "OtpChannel",
    "OtpEvidence",
    "OtpRefusal",
    "OtpRefused",
    "SealedConfirmation",
    "SignatureImageEvidence",
    "TechnicalInfo",
    "canonical_json",
    "issue_otp",
    "otp_evidence",
    "parse_confirmation_record",
    "seal_confirmation",
    "verify_confirmation",
    "verify_otp",
]

OTP_DIGITS = 6
"""Length of a one-time code."""
MAX_OTP_ATTEMPTS = 5
"""Codes that may be entered for one challenge; the sixth attempt is refused."""
OTP_TTL = timedelta(minutes=5)
"""Default lifetime of a one-time code."""
_OTP_HASH_ITERATIONS = 100_000
"""PBKDF2-HMAC-SHA256 rounds over the code. A 6-digit code has only 10^6 values, so the
hash keeps the code out of storage and logs but cannot hide it for long from anyone
holding the hash. The short lifetime and single use protect the code itself."""
_OTP_RE = re.compile(rf"^[0-9]{{{OTP_DIGITS}}}$")


# -- field types -----------------------------------------------------------------------


def _nfc(value: str) -> str:
    # Vietnamese text arrives in NFC or NFD; one form keeps the canonical bytes stable
    return unicodedata.normalize("NFC", value)


def _code_of(kind: ExtensionKind) -> AfterValidator:
    def check(value: str) -> str:
        try:
            parse_extended_code(value, kind)
        except InvalidCode as exc:
            # pydantic turns ValueError into a validation error that names the field
            raise ValueError(exc.failure_message) from None
        return value

    return AfterValidator(check)


Sha256Hex = Annotated[
    str, StringConstraints(pattern=r"^[0-9a-f]{64}$", min_length=64, max_length=64)
]
"""SHA-256 as 64 lowercase hexadecimal digits (as :func:`casefile.blobstore.sha256_hex`)."""
DocumentCode = Annotated[str, _code_of(ExtensionKind.DOCUMENT)]
PartyCode = Annotated[str, _code_of(ExtensionKind.PARTY)]
ShortText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
    AfterValidator(_nfc),
]
LongText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=1000, strip_whitespace=True),
    AfterValidator(_nfc),
]
Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class ConfirmationForm(StrEnum):
    """Alternative form of confirmation (Joint Circular art. 6(1)); persisted values."""

    OTP = "otp"
    """Multi-factor: logged in to an electronic account and a one-time code."""
    SIGNATURE_IMAGE = "signature_image"
    """Handwritten signature on the screen of a dedicated device."""
    FINGERPRINT = "fingerprint"
    """Fingerprint verified by an electronic device."""


class OtpChannel(StrEnum):
    """How the one-time code reached the participant."""

    SMS = "sms"
    EMAIL = "email"
    VNEID = "vneid"
    """Notification in the VNeID application."""


class Finger(StrEnum):
    """Which finger was read (ISO/IEC 19794-2 finger positions 1-10)."""

    RIGHT_THUMB = "right_thumb"
    RIGHT_INDEX = "right_index"
    RIGHT_MIDDLE = "right_middle"
    RIGHT_RING = "right_ring"
    RIGHT_LITTLE = "right_little"
    LEFT_THUMB = "left_thumb"
    LEFT_INDEX = "left_index"
    LEFT_MIDDLE = "left_middle"
    LEFT_RING = "left_ring"
    LEFT_LITTLE = "left_little"


_FROZEN = ConfigDict(frozen=True, extra="forbid")


# -- the record --------------------------------------------------------------------------


class TechnicalInfo(BaseModel):
    """Technical information of the confirmation (Joint Circular art. 7(6)(b))."""

    model_config = _FROZEN

    device: ShortText
    """Device the participant used, e.g. "Máy tính bảng ký số phòng hỏi cung 2"."""
    ip_address: IPvAnyAddress
    """Address the confirmation came from (IPv4 or IPv6)."""
    user_agent: LongText
    """Browser or application identification string."""


class OtpEvidence(BaseModel):
    """Multi-factor confirmation: electronic account plus one-time code (art. 17(2)(c))."""

    model_config = _FROZEN

    kind: Literal["otp"] = "otp"
    challenge_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    """The :class:`OtpChallenge` that was verified."""
    channel: OtpChannel
    account: ShortText
    """Identifier of the electronic account the participant was logged in to."""
    verified: Literal[True] = True
    """The code was verified (:func:`verify_otp`); nothing else may be recorded."""


class SignatureImageEvidence(BaseModel):
    """Handwritten signature drawn on screen; the PNG is stored elsewhere (by hash)."""

    model_config = _FROZEN

    kind: Literal["signature_image"] = "signature_image"
    image_sha256: Sha256Hex
    """SHA-256 of the PNG bytes in the blob store."""
    width: Annotated[int, Field(gt=0, le=10_000)]
    """Image width in pixels."""
    height: Annotated[int, Field(gt=0, le=10_000)]
    """Image height in pixels."""


class FingerprintEvidence(BaseModel):
    """Fingerprint verified on a device; the template is stored elsewhere (art. 7(6)(c))."""

    model_config = _FROZEN

    kind: Literal["fingerprint"] = "fingerprint"
    device_model: ShortText
    device_serial: ShortText
    finger: Finger
    template_sha256: Sha256Hex
    """SHA-256 of the fingerprint template or device record (never the biometric data)."""
    match_score: Fraction
    """Score reported by the device, 0..1."""
    threshold: Fraction
    """Score at or above which the device accepts a match."""

    @model_validator(mode="after")
    def _score_reaches_threshold(self) -> FingerprintEvidence:
        if self.match_score < self.threshold:
            raise ValueError(
                f"match_score {self.match_score} is below the threshold {self.threshold}: "
                "the fingerprint did not match"
            )
        return self


Evidence = Annotated[
    OtpEvidence | SignatureImageEvidence | FingerprintEvidence, Field(discriminator="kind")
]


class ConfirmationRecord(BaseModel):
    """One participant's confirmation of one document: the log entry of art. 7(6)(b).

    Legal basis: Joint Circular art. 6(1), 7(6)(a)-(c).
    """

    model_config = _FROZEN

    version: Literal[1] = 1
    """Format of the record; part of the sealed bytes."""
    document_code: DocumentCode
    party_code: PartyCode
    form: ConfirmationForm
    confirmed_at: AwareDatetime
    """When the participant confirmed (timezone required)."""
    pdf_sha256: Sha256Hex
    """SHA-256 of the exact PDF bytes displayed to the participant (art. 7(6)(a))."""
    technical: TechnicalInfo
    evidence: Evidence

    @model_validator(mode="after")
    def _consistent(self) -> ConfirmationRecord:
        if self.evidence.kind != self.form.value:
            raise ValueError(
                f"evidence of kind {self.evidence.kind!r} does not match form {self.form.value!r}"
            )
        document_case = parse_extended_code(self.document_code).case
        if parse_extended_code(self.party_code).case != document_case:
            raise ValueError(
                f"party_code {self.party_code!r} belongs to another case than the document "
                f"{self.document_code!r}"
            )
        return self


def parse_confirmation_record(data: Mapping[str, Any]) -> ConfirmationRecord:
    """Validate ``data`` into a record; raise :class:`InvalidInput` naming the first bad field.

    The field is the dotted path, e.g. ``technical.ip_address`` or
    ``evidence.fingerprint.match_score`` (pydantic names union branches by tag).
    """
    try:
        return ConfirmationRecord.model_validate(data)
    except ValidationError as exc:
        raise _invalid_input(exc) from None


def _invalid_input(exc: ValidationError) -> InvalidInput:
    first = exc.errors()[0]
    path = ".".join(str(part) for part in first["loc"]) or None
    message = f"{path}: {first['msg']}" if path else str(first["msg"])
    return InvalidInput(message, field=path)


def canonical_json(record: ConfirmationRecord) -> bytes:
    """The bytes that are sealed: JSON with sorted keys, no whitespace, UTF-8.

    Deterministic for a given record, and the same after a JSON round trip of the record.
    """
    return json.dumps(
        record.model_dump(mode="json"),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


# -- one-time codes ----------------------------------------------------------------------


class OtpChallenge(BaseModel):
    """What is stored of a one-time code: its salted hash, never the code.

    The hash also covers the challenge id, the document, the participant and the PDF
    hash. A stored hash therefore cannot be moved to another confirmation.
    """

    model_config = _FROZEN

    challenge_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    document_code: DocumentCode
    party_code: PartyCode
    pdf_sha256: Sha256Hex
    """The document version the code confirms (art. 7(6)(a))."""
    account: ShortText
    """The electronic account the participant is logged in to (first factor)."""
    channel: OtpChannel
    salt: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    code_hash: Sha256Hex
    iterations: Annotated[int, Field(ge=1)]
    created_at: AwareDatetime
    expires_at: AwareDatetime
    attempts_left: Annotated[int, Field(ge=0, le=MAX_OTP_ATTEMPTS)]
    verified_at: AwareDatetime | None = None
    """Set by :func:`verify_otp` on success; a used code is refused afterwards."""


@dataclass(frozen=True)
class IssuedOtp:
    """A new one-time code: ``code`` is sent to the participant, ``challenge`` is stored."""

    code: str = field(repr=False)
    """The plain code. Send it, then forget it: never store or log it."""
    challenge: OtpChallenge


class OtpRefusal(StrEnum):
    """Why :func:`verify_otp` refused a code; stable values."""

    WRONG_CODE = "wrong_code"
    EXPIRED = "expired"
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    ALREADY_USED = "already_used"


class OtpRefused(NotPermitted):
    """A one-time code was refused.

    Legal basis: Joint Circular art. 6(1), 17(2)(c).

    :attr:`challenge` is the challenge's new state (one attempt fewer after a wrong code):
    the caller stores it in place of the old one.
    """

    code = "otp_refused"

    def __init__(self, message: str, *, reason: OtpRefusal, challenge: OtpChallenge) -> None:
        super().__init__(message, field="code")
        self.reason = reason
        self.challenge = challenge


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must carry a time zone", field=name)


def _hash_code(
    code: str,
    *,
    salt: str,
    iterations: int,
    challenge_id: str,
    document_code: str,
    party_code: str,
    pdf_sha256: str,
) -> str:
    context = "\x1f".join((challenge_id, document_code, party_code, pdf_sha256))
    return hashlib.pbkdf2_hmac(
        "sha256",
        code.encode("ascii"),
        bytes.fromhex(salt) + context.encode("utf-8"),
        iterations,
    ).hex()


def issue_otp(
    *,
    document_code: str,
    party_code: str,
    pdf_sha256: str,
    account: str,
    channel: OtpChannel,
    now: datetime,
    ttl: timedelta = OTP_TTL,
) -> IssuedOtp:
    """Create a 6-digit one-time code for a participant to confirm a document.

    Legal basis: Joint Circular art. 6(1), 17(2)(c).

    :param account: the electronic account the participant is logged in to.
    :param now: the current time (timezone-aware); the code expires at ``now + ttl``.
    """
    _require_aware(now, "now")
    if ttl <= timedelta(0):
        raise InvalidInput("ttl must be positive", field="ttl")
    code = f"{secrets.randbelow(10**OTP_DIGITS):0{OTP_DIGITS}d}"
    challenge_id = uuid.uuid4().hex
    salt = secrets.token_hex(16)
    try:
        challenge = OtpChallenge(
            challenge_id=challenge_id,
            document_code=document_code,
            party_code=party_code,
            pdf_sha256=pdf_sha256,
            account=account,
            channel=channel,
            salt=salt,
            code_hash=_hash_code(
                code,
                salt=salt,
                iterations=_OTP_HASH_ITERATIONS,
                challenge_id=challenge_id,
                document_code=document_code,
                party_code=party_code,
                pdf_sha256=pdf_sha256,
            ),
            iterations=_OTP_HASH_ITERATIONS,
            created_at=now,
            expires_at=now + ttl,
            attempts_left=MAX_OTP_ATTEMPTS,
        )
    except ValidationError as exc:
        raise _invalid_input(exc) from None
    return IssuedOtp(code=code, challenge=challenge)


def verify_otp(challenge: OtpChallenge, code: str, now: datetime) -> OtpChallenge:
    """Check a one-time code; return the challenge marked as used.

    Legal basis: Joint Circular art. 6(1), 17(2)(c).

    The comparison takes the same time whatever the code. Refusals raise
    :class:`OtpRefused` with a :class:`OtpRefusal` reason and the challenge's new state:
    the code was already used, the code has expired, no attempts are left, or the code
    is wrong (one attempt fewer). A malformed code (not 6 digits) raises
    :class:`InvalidInput` and costs no attempt, since it cannot be a guess.
    """
    _require_aware(now, "now")
    if challenge.verified_at is not None:
        raise OtpRefused(
            f"this one-time code was already used at {challenge.verified_at.isoformat()}; "
            "request a new code",
            reason=OtpRefusal.ALREADY_USED,
            challenge=challenge,
        )
    if now >= challenge.expires_at:
        raise OtpRefused(
            f"the one-time code expired at {challenge.expires_at.isoformat()}; request a new code",
            reason=OtpRefusal.EXPIRED,
            challenge=challenge,
        )
    if challenge.attempts_left <= 0:
        raise OtpRefused(
            f"the one-time code was entered wrongly {MAX_OTP_ATTEMPTS} times and is "
            "blocked; request a new code",
            reason=OtpRefusal.ATTEMPTS_EXHAUSTED,
            challenge=challenge,
        )
    code = code.strip() if isinstance(code, str) else ""
    if not _OTP_RE.match(code):
        raise InvalidInput(f"the one-time code must be {OTP_DIGITS} digits", field="code")
    given = _hash_code(
        code,
        salt=challenge.salt,
        iterations=challenge.iterations,
        challenge_id=challenge.challenge_id,
        document_code=challenge.document_code,
        party_code=challenge.party_code,
        pdf_sha256=challenge.pdf_sha256,
    )
    if not hmac.compare_digest(given.encode("ascii"), challenge.code_hash.encode("ascii")):
        left = challenge.attempts_left - 1
        after = challenge.model_copy(update={"attempts_left": left})
        tail = f"{left} attempt(s) left" if left else "no attempts left; request a new code"
        raise OtpRefused(
            f"the one-time code is wrong; {tail}", reason=OtpRefusal.WRONG_CODE, challenge=after
        )
    return challenge.model_copy(update={"verified_at": now})


def otp_evidence(
    challenge: OtpChallenge, *, document_code: str, party_code: str, pdf_sha256: str
) -> OtpEvidence:
    """Evidence for a :class:`ConfirmationRecord` from a challenge verified for it.

    Legal basis: Joint Circular art. 7(6)(a) (the confirmation is bound to the document).

    Raises :class:`InvalidInput` if the challenge was not verified, or if it was issued
    for another document, participant or version of the PDF.
    """
    if challenge.verified_at is None:
        raise InvalidInput("the one-time code has not been verified", field="challenge")
    for name, expected in (
        ("document_code", document_code),
        ("party_code", party_code),
        ("pdf_sha256", pdf_sha256),
    ):
        if getattr(challenge, name) != expected:
            raise InvalidInput(
                f"the one-time code was issued for another {name.replace('_', ' ')}",
                field=name,
            )
    return OtpEvidence(
        challenge_id=challenge.challenge_id, channel=challenge.channel, account=challenge.account
    )


# -- the seal ----------------------------------------------------------------------------


class SealedConfirmation(BaseModel):
    """A record with the agency's electronic seal over its canonical JSON.

    Legal basis: Joint Circular art. 13(3) (electronic seal), art. 17(1)(a).

    Serializes to JSON with the seal in base64, for storage next to the document.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64"
    )

    record: ConfirmationRecord
    seal: bytes
    """DER of the detached CMS SignedData (ContentInfo) over :func:`canonical_json`."""

    @property
    def seal_certificate(self) -> x509.Certificate:
        """The certificate the seal was made with, as embedded in the CMS object."""
        signed_data = _signed_data(self.seal)
        sid = signed_data["signer_infos"][0]["sid"]
        for choice in signed_data["certificates"]:
            cert = choice.chosen
            if (
                isinstance(cert, x509.Certificate)
                and sid.name == "issuer_and_serial_number"
                and cert.issuer == sid.chosen["issuer"]
                and cert.serial_number == sid.chosen["serial_number"].native
            ):
                return cert
        raise InvalidInput("the seal does not embed its certificate", field="seal")


def _signed_data(der: bytes) -> cms.SignedData:
    info = cms.ContentInfo.load(der)
    if info["content_type"].native != "signed_data":
        raise ValueError("not a CMS SignedData object")
    return info["content"]


async def seal_confirmation(
    record: ConfirmationRecord,
    seal_signer: DocumentSigner,
    *,
    sealed_at: datetime | None = None,
    timestamper: TimeStamper | None = None,
) -> SealedConfirmation:
    """Seal ``record`` with the agency's electronic seal certificate (detached CMS).

    Legal basis: Joint Circular art. 7(6)(b), 13(3), 17(1)(a).

    :param seal_signer: the agency's seal key (e.g. the demo PKI's ``seal-csdthn``).
    :param sealed_at: put in the CMS ``signing-time`` attribute when given (a claim of
        the sealing software, not a proof: use ``timestamper`` for that).
    :param timestamper: adds an RFC 3161 signature time-stamp to the seal when given.
    """
    attrs = None
    if sealed_at is not None:
        _require_aware(sealed_at, "sealed_at")
        attrs = PdfCMSSignedAttributes(signing_time=sealed_at)
    content_info = await seal_signer.signer.async_sign_general_data(
        canonical_json(record),
        "sha256",
        detached=True,
        timestamper=timestamper,
        signed_attr_settings=attrs,
    )
    return SealedConfirmation(record=record, seal=content_info.dump())


class ConfirmationReason(StrEnum):
    """Why a sealed confirmation got its verdict; stable values."""

    VALID = "valid"
    RECORD_CHANGED = "record_changed"
    """The record differs from the sealed bytes (art. 7(3))."""
    PDF_CHANGED = "pdf_changed"
    """The PDF given is not the one the participant confirmed (art. 7(6)(a))."""
    SEAL_INVALID = "seal_invalid"
    """The seal is malformed or its signature is broken."""
    SEAL_UNTRUSTED = "seal_untrusted"
    """The seal certificate does not chain to a trust root, or is revoked or expired."""


@dataclass(frozen=True)
class ConfirmationVerification:
    """Outcome of :func:`verify_confirmation`."""

    verdict: Verdict
    """``valid`` or ``invalid``."""
    reason: ConfirmationReason
    detail: str | None
    """What went wrong, in English, for logs and experts."""
    document_code: str
    party_code: str
    form: ConfirmationForm
    confirmed_at: datetime
    pdf_sha256_expected: str
    """The PDF hash in the record."""
    pdf_sha256_actual: str
    """The hash of the PDF given to the verification."""
    seal_intact: bool
    """The record's canonical bytes hash to the digest in the seal."""
    seal_crypto_valid: bool
    seal_trusted: bool
    seal_holder: str | None
    """Common name of the seal certificate (the agency's seal)."""
    seal_certificate_serial: str | None
    sealed_at: datetime | None
    """Signing time claimed in the seal (a time-stamp, if present, is the proof)."""
    timestamp_time: datetime | None

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable form (enums as values, times as ISO 8601)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, StrEnum):
                value = value.value
            elif isinstance(value, datetime):
                value = value.isoformat()
            out[name] = value
        return out


async def verify_confirmation(
    sealed: SealedConfirmation,
    pdf_bytes: bytes,
    trust_roots: Sequence[x509.Certificate],
    *,
    fetcher_backend: FetcherBackend | None = None,
    require_revocation_info: bool = False,
    validation_time: datetime | None = None,
    crls: Sequence[bytes] = (),
    ocsps: Sequence[bytes] = (),
) -> ConfirmationVerification:
    """Check the seal, the record and the PDF of a sealed confirmation.

    Legal basis: Joint Circular art. 7(3), 7(6)(a), 13(3), 17(1)(a).

    The checks run in this order, and the first failure gives the reason:
    ``seal_invalid`` (malformed CMS object, broken signature), ``record_changed`` (the
    record's canonical bytes are not what was sealed), ``seal_untrusted`` (no chain to
    ``trust_roots``, or a revoked or expired certificate), ``pdf_changed`` (``pdf_bytes``
    does not hash to the record's ``pdf_sha256``).

    :param fetcher_backend: source of CRLs/OCSP for the seal certificate; without it,
        revocation is not checked unless ``require_revocation_info`` (then: untrusted).
    :param validation_time: time at which the certificate must be valid (default: now).
    :param crls: DER CRLs to use besides ``fetcher_backend`` (e.g. carried in a bundle).
    :param ocsps: DER OCSP responses to use besides ``fetcher_backend``.
    """
    record = sealed.record
    actual_pdf = sha256_hex(pdf_bytes)

    def result(
        reason: ConfirmationReason,
        detail: str | None,
        *,
        intact: bool = False,
        crypto_valid: bool = False,
        trusted: bool = False,
        status: Any = None,
    ) -> ConfirmationVerification:
        cert = getattr(status, "signing_cert", None)
        ts = getattr(status, "timestamp_validity", None)
        return ConfirmationVerification(
            verdict=Verdict.VALID if reason is ConfirmationReason.VALID else Verdict.INVALID,
            reason=reason,
            detail=detail,
            document_code=record.document_code,
            party_code=record.party_code,
            form=record.form,
            confirmed_at=record.confirmed_at,
            pdf_sha256_expected=record.pdf_sha256,
            pdf_sha256_actual=actual_pdf,
            seal_intact=intact,
            seal_crypto_valid=crypto_valid,
            seal_trusted=trusted,
            seal_holder=CertificateHolder.from_certificate(cert).name if cert else None,
            seal_certificate_serial=format(cert.serial_number, "x") if cert else None,
            sealed_at=getattr(status, "signer_reported_dt", None),
            timestamp_time=ts.timestamp if ts is not None else None,
        )

    try:
        signed_data = _signed_data(sealed.seal)
        context = ValidationContext(
            trust_roots=list(trust_roots),
            moment=validation_time,
            allow_fetching=fetcher_backend is not None,
            fetcher_backend=fetcher_backend,
            revocation_mode="require" if require_revocation_info else "soft-fail",
            crls=list(crls),
            ocsps=list(ocsps),
        )
        status = await async_validate_detached_cms(canonical_json(record), signed_data, context)
    except Exception as exc:
        # asn1crypto and pyHanko raise many kinds of error on bytes that are not a seal
        return result(ConfirmationReason.SEAL_INVALID, f"unreadable seal: {exc!r}")

    facts = {
        "intact": status.intact,
        "crypto_valid": status.valid,
        "trusted": status.trusted,
        "status": status,
    }
    if not status.valid:
        return result(
            ConfirmationReason.SEAL_INVALID,
            "the seal's signature does not verify with its certificate",
            **facts,
        )
    if not status.intact:
        return result(
            ConfirmationReason.RECORD_CHANGED,
            "the record is not the one that was sealed (digest mismatch)",
            **facts,
        )
    if not status.bottom_line:
        indication = status.trust_problem_indic
        why = indication.name if indication is not None else "time-stamp or usage problem"
        return result(
            ConfirmationReason.SEAL_UNTRUSTED,
            f"the seal certificate is not trusted: {why}",
            **facts,
        )
    if not hmac.compare_digest(actual_pdf, record.pdf_sha256):
        return result(
            ConfirmationReason.PDF_CHANGED,
            f"the PDF hashes to {actual_pdf}, the participant confirmed {record.pdf_sha256}",
            **facts,
        )
    return result(ConfirmationReason.VALID, None, **facts)
