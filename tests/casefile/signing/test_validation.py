"""Validation: every tamper case fails, with the right reason code."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from casefile.signing.pades import SignatureOptions, SigningEnvironment, sign_document
from casefile.signing.pki import DemoPKI, PKIServices
from casefile.signing.signers import SoftwareSigner
from casefile.signing.validation import (
    CertificateStatus,
    ReasonCode,
    ValidationPolicy,
    Verdict,
    validate_pdf,
)

Signers = Callable[[str], SoftwareSigner]
BODY_MARKER = b"QUYET DINH KHOI TO VU AN HINH SU"


def _rogue_signer() -> SoftwareSigner:
    """A self-signed certificate that no trust list knows."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Kẻ Giả Mạo"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "TEST ONLY"),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    signer = SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore(),
    )
    return SoftwareSigner(signer)


async def test_validate_flipped_byte_hash_mismatch(
    signed_bt: bytes, policy: ValidationPolicy
) -> None:
    at = signed_bt.index(BODY_MARKER)
    tampered = signed_bt[:at] + b"X" + signed_bt[at + 1 :]
    result = await validate_pdf(tampered, policy)
    assert (result.verdict, result.reason) == (Verdict.INVALID, ReasonCode.HASH_MISMATCH)
    assert result.signatures[0].intact is False
    assert result.signatures[0].bottom_line is False


async def test_validate_incremental_update_after_signing_modified(
    signed_bt: bytes, policy: ValidationPolicy
) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed_bt))
    forged = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 30 Tf 72 400 Td (DINH CHI) Tj ET")
    )
    writer.add_stream_to_page(0, forged)
    out = BytesIO()
    writer.write(out)
    result = await validate_pdf(out.getvalue(), policy)
    assert (result.verdict, result.reason) == (Verdict.INVALID, ReasonCode.MODIFIED_AFTER_SIGNING)
    sig = result.signatures[0]
    assert sig.intact is True  # the signed revision itself is untouched
    assert sig.modification_level == "OTHER"
    assert sig.later_revisions == 1
    assert sig.bottom_line is False


async def test_validate_revoked_certificate(
    blank_pdf: bytes, env: SigningEnvironment, signer_for: Signers, policy: ValidationPolicy
) -> None:
    signed = await sign_document(
        blank_pdf,
        signer_for("investigator-revoked"),
        env,
        SignatureOptions(check_certificate=False),
    )
    result = await validate_pdf(signed, policy)
    assert (result.verdict, result.reason) == (Verdict.INVALID, ReasonCode.CERTIFICATE_REVOKED)
    sig = result.signatures[0]
    assert sig.certificate_status is CertificateStatus.REVOKED
    assert sig.revocation_time is not None and sig.timestamp_time is not None
    assert sig.revocation_time < sig.timestamp_time


async def test_validate_expired_certificate(
    blank_pdf: bytes, env: SigningEnvironment, signer_for: Signers, policy: ValidationPolicy
) -> None:
    signed = await sign_document(
        blank_pdf,
        signer_for("prosecutor-expired"),
        env,
        SignatureOptions(check_certificate=False),
    )
    result = await validate_pdf(signed, policy)
    assert (result.verdict, result.reason) == (Verdict.INVALID, ReasonCode.CERTIFICATE_EXPIRED)
    sig = result.signatures[0]
    assert sig.certificate_status is CertificateStatus.EXPIRED
    # pyHanko 0.38's AdES-with-time process passes this signature (its bottom_line is
    # True): hoso's own check of the validity period at the time-stamp catches it
    assert sig.verdict is Verdict.INVALID


async def test_validate_unknown_root_untrusted(
    blank_pdf: bytes, env: SigningEnvironment, policy: ValidationPolicy
) -> None:
    signed = await sign_document(
        blank_pdf, _rogue_signer(), env, SignatureOptions(check_certificate=False)
    )
    result = await validate_pdf(signed, policy)
    assert (result.verdict, result.reason) == (Verdict.INVALID, ReasonCode.UNTRUSTED_CERTIFICATE)
    sig = result.signatures[0]
    assert sig.certificate_status is CertificateStatus.UNTRUSTED
    assert sig.intact is True and sig.trusted is False
    assert sig.signer_name == "Kẻ Giả Mạo"


async def test_validate_other_trust_root_untrusted(
    signed_bt: bytes, pki: DemoPKI, services: PKIServices
) -> None:
    # a sound signature, checked by a verifier whose only anchor is another CA (here the
    # participants' public CA, which did not issue the investigator's certificate)
    other = ValidationPolicy(
        trust_roots=(pki.cert("ca-public"),), fetcher_backend=services.fetcher_backend()
    )
    result = await validate_pdf(signed_bt, other)
    assert (result.verdict, result.reason) == (Verdict.INVALID, ReasonCode.UNTRUSTED_CERTIFICATE)


async def test_validate_bt_without_revocation_data_indeterminate(
    signed_bt: bytes, offline_policy: ValidationPolicy
) -> None:
    result = await validate_pdf(signed_bt, offline_policy)
    assert (result.verdict, result.reason) == (
        Verdict.INDETERMINATE,
        ReasonCode.REVOCATION_UNAVAILABLE,
    )
    assert result.signatures[0].certificate_status is CertificateStatus.UNKNOWN


async def test_validate_unsigned_pdf_no_signatures(
    blank_pdf: bytes, policy: ValidationPolicy
) -> None:
    result = await validate_pdf(blank_pdf, policy)
    assert (result.verdict, result.reason) == (Verdict.INVALID, ReasonCode.NO_SIGNATURES)


async def test_validate_garbage_format_error(policy: ValidationPolicy) -> None:
    result = await validate_pdf(b"not a pdf", policy)
    assert (result.verdict, result.reason) == (Verdict.INVALID, ReasonCode.FORMAT_ERROR)


async def test_validation_result_is_json_serializable(
    signed_bt: bytes, policy: ValidationPolicy
) -> None:
    result = await validate_pdf(signed_bt, policy)
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["verdict"] == "valid"
    sig = data["signatures"][0]
    assert sig["signer_name"] == "Nguyễn Văn An"
    assert sig["certificate_status"] == "good"
    assert sig["pades_level"] == "B-T"
    assert datetime.fromisoformat(sig["timestamp_time"]).tzinfo is not None
