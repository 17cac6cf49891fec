"""PAdES signing: B-T, B-LTA, visible block, certification + countersignature, stamp."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pyhanko.sign.general import SigningError

from casefile.signing.pades import (
    Box,
    EmptyField,
    PadesLevel,
    RegisterStamp,
    SignatureOptions,
    SigningEnvironment,
    apply_register_stamp,
    countersign_document,
    extend_archive_timestamp,
    format_vn_time,
    sign_document,
)
from casefile.signing.signers import SoftwareSigner
from casefile.signing.validation import (
    CertificateStatus,
    PadesProfile,
    ReasonCode,
    SignatureKind,
    ValidationPolicy,
    Verdict,
    validate_pdf,
)

PARTICIPANT_FIELD = EmptyField("ChuKy_DuongSu_1", Box(0, 40, 60, 280, 150), "Đặng Văn Giang")
REGISTER_FIELD = EmptyField("DauVaoSo", Box(0, 400, 700, 560, 800), "Dấu vào sổ")
STAMP = RegisterStamp(
    file_code="HS-01-2026-000123-45",
    record_number="BL-17",
    agency="Cơ quan Cảnh sát điều tra Công an thành phố Hà Nội",
)

Signers = Callable[[str], SoftwareSigner]


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing (Debian poppler-utils): run scripts/bootstrap.sh")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


async def _certified_with_fields(
    blank_pdf: bytes, env: SigningEnvironment, signer_for: Signers
) -> bytes:
    return await sign_document(
        blank_pdf,
        signer_for("investigator"),
        env,
        SignatureOptions(
            field_name="ChuKy_DTV",
            box=Box(0, 320, 60, 560, 150),
            certify=True,
            prepare_fields=(PARTICIPANT_FIELD, REGISTER_FIELD),
            reason="Ký ban hành",
        ),
    )


async def test_sign_document_bt_validates(signed_bt: bytes, policy: ValidationPolicy) -> None:
    result = await validate_pdf(signed_bt, policy)
    assert (result.verdict, result.reason) == (Verdict.VALID, ReasonCode.OK)
    (sig,) = result.signatures
    assert sig.bottom_line and sig.intact and sig.trusted
    assert sig.kind is SignatureKind.SIGNATURE
    assert sig.pades_level is PadesProfile.B_T
    assert sig.certificate_status is CertificateStatus.GOOD
    assert sig.signer_name == "Nguyễn Văn An"
    assert sig.timestamp_time is not None
    assert abs(sig.timestamp_time - datetime.now(UTC)) < timedelta(minutes=5)
    assert sig.later_revisions == 0


async def test_sign_document_blta_validates_offline_from_dss(
    blank_pdf: bytes,
    env: SigningEnvironment,
    signer_for: Signers,
    offline_policy: ValidationPolicy,
) -> None:
    signed = await sign_document(
        blank_pdf, signer_for("judge"), env, SignatureOptions(level=PadesLevel.B_LTA)
    )
    # no fetcher: revocation data must come from the DSS embedded at signing
    result = await validate_pdf(signed, offline_policy)
    assert result.verdict is Verdict.VALID, result.to_dict()
    sig, doc_ts = result.signatures
    assert sig.pades_level is PadesProfile.B_LTA
    assert doc_ts.kind is SignatureKind.DOCUMENT_TIMESTAMP
    assert sig.modification_level == "LTA_UPDATES"


async def test_extend_archive_timestamp_adds_second_document_timestamp(
    blank_pdf: bytes,
    env: SigningEnvironment,
    signer_for: Signers,
    offline_policy: ValidationPolicy,
) -> None:
    signed = await sign_document(
        blank_pdf, signer_for("judge"), env, SignatureOptions(level=PadesLevel.B_LTA)
    )
    renewed = await extend_archive_timestamp(signed, env)
    result = await validate_pdf(renewed, offline_policy)
    assert result.verdict is Verdict.VALID, result.to_dict()
    kinds = [s.kind for s in result.signatures]
    assert kinds.count(SignatureKind.DOCUMENT_TIMESTAMP) == 2


async def test_sign_document_visible_block_shows_vietnamese_name_title_agency_time(
    signed_bt: bytes, tmp_path: Path
) -> None:
    text = _pdftotext(signed_bt, tmp_path)
    assert "Nguyễn Văn An" in text
    assert "Điều tra viên" in text
    assert "Cơ quan Cảnh sát điều tra" in text
    assert "(UTC+07:00)" in text


def test_format_vn_time_independent_of_process_timezone() -> None:
    moment = datetime(2026, 12, 31, 20, 30, tzinfo=UTC)
    assert format_vn_time(moment) == "01/01/2027 03:30:00 (UTC+07:00)"


async def test_sign_document_pdfsig_reports_valid(signed_bt: bytes, tmp_path: Path) -> None:
    if shutil.which("pdfsig") is None:
        pytest.fail("pdfsig is missing (Debian poppler-utils): run scripts/bootstrap.sh")
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_bt)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in out
    assert "ETSI.CAdES.detached" in out
    assert "SHA-256" in out


async def test_sign_document_revoked_certificate_refused(
    blank_pdf: bytes, env: SigningEnvironment, signer_for: Signers
) -> None:
    with pytest.raises(SigningError):
        await sign_document(blank_pdf, signer_for("investigator-revoked"), env, SignatureOptions())


async def test_sign_document_existing_signed_field_refused(
    signed_bt: bytes, env: SigningEnvironment, signer_for: Signers
) -> None:
    with pytest.raises(SigningError):
        await sign_document(
            signed_bt, signer_for("judge"), env, SignatureOptions(field_name="ChuKy_DTV")
        )


async def test_certify_then_countersign_and_register_stamp_validate(
    blank_pdf: bytes,
    env: SigningEnvironment,
    signer_for: Signers,
    policy: ValidationPolicy,
    tmp_path: Path,
) -> None:
    certified = await _certified_with_fields(blank_pdf, env, signer_for)
    countersigned = await countersign_document(
        certified, signer_for("participant-1"), env, field_name=PARTICIPANT_FIELD.name
    )
    stamped = await apply_register_stamp(countersigned, STAMP, env)

    result = await validate_pdf(stamped, policy)
    assert (result.verdict, result.reason) == (Verdict.VALID, ReasonCode.OK), result.to_dict()
    cert_sig, participant, stamp = result.signatures
    assert cert_sig.kind is SignatureKind.CERTIFICATION
    assert cert_sig.certification_permission == "FILL_FORMS"
    assert cert_sig.later_revisions == 2
    assert cert_sig.modification_level == "FORM_FILLING"
    assert participant.signer_name == "Đặng Văn Giang"
    assert participant.field_name == PARTICIPANT_FIELD.name
    assert stamp.kind is SignatureKind.DOCUMENT_TIMESTAMP
    assert stamp.field_name == "DauVaoSo"

    text = _pdftotext(stamped, tmp_path)
    assert "Mã hồ sơ: HS-01-2026-000123-45" in text
    assert "Bút lục số: BL-17" in text
    assert "Đặng Văn Giang" in text


async def test_new_visible_field_after_certification_invalidates_it(
    blank_pdf: bytes,
    env: SigningEnvironment,
    signer_for: Signers,
    policy: ValidationPolicy,
) -> None:
    certified = await _certified_with_fields(blank_pdf, env, signer_for)
    # the participant signs a field of their own instead of the reserved one
    late = await sign_document(
        certified,
        signer_for("participant-2"),
        env,
        SignatureOptions(field_name="ChuKy_Moi", box=Box(0, 40, 200, 280, 290)),
    )
    result = await validate_pdf(late, policy)
    assert result.verdict is Verdict.INVALID
    certification = result.signatures[0]
    assert certification.kind is SignatureKind.CERTIFICATION
    assert (certification.verdict, certification.reason) == (
        Verdict.INVALID,
        ReasonCode.MODIFIED_AFTER_SIGNING,
    )
    assert certification.bottom_line is False
    assert result.signatures[1].verdict is Verdict.VALID


async def test_countersign_without_reserved_field_refused(
    signed_bt: bytes, env: SigningEnvironment, signer_for: Signers
) -> None:
    with pytest.raises(ValueError, match="created with the certification"):
        await countersign_document(
            signed_bt, signer_for("participant-1"), env, field_name="ChuKy_DuongSu_1"
        )


async def test_register_stamp_on_uncertified_document_creates_field_and_validates(
    signed_bt: bytes, env: SigningEnvironment, policy: ValidationPolicy, tmp_path: Path
) -> None:
    stamp = RegisterStamp(
        file_code=STAMP.file_code,
        record_number="BL-18",
        agency=STAMP.agency,
        box=Box(0, 400, 700, 560, 800),
    )
    stamped = await apply_register_stamp(signed_bt, stamp, env)
    result = await validate_pdf(stamped, policy)
    assert result.verdict is Verdict.VALID, result.to_dict()
    signature, doc_ts = result.signatures
    assert doc_ts.kind is SignatureKind.DOCUMENT_TIMESTAMP
    assert doc_ts.timestamp_time is not None
    assert signature.later_revisions == 1
    assert "Bút lục số: BL-18" in _pdftotext(stamped, tmp_path)


async def test_register_stamp_without_field_or_box_refused(
    signed_bt: bytes, env: SigningEnvironment
) -> None:
    with pytest.raises(ValueError):
        await apply_register_stamp(signed_bt, STAMP, env)


async def test_certify_blta_then_countersign_blta_validates_offline(
    blank_pdf: bytes,
    env: SigningEnvironment,
    signer_for: Signers,
    offline_policy: ValidationPolicy,
) -> None:
    certified = await sign_document(
        blank_pdf,
        signer_for("judge"),
        env,
        SignatureOptions(certify=True, level=PadesLevel.B_LTA, prepare_fields=(PARTICIPANT_FIELD,)),
    )
    countersigned = await countersign_document(
        certified,
        signer_for("participant-2"),
        env,
        field_name=PARTICIPANT_FIELD.name,
        level=PadesLevel.B_LTA,
    )
    result = await validate_pdf(countersigned, offline_policy)
    assert result.verdict is Verdict.VALID, result.to_dict()
    levels = [
        s.pades_level for s in result.signatures if s.kind is not SignatureKind.DOCUMENT_TIMESTAMP
    ]
    assert levels == [PadesProfile.B_LTA, PadesProfile.B_LTA]
