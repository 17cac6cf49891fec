"""Reports: Vietnamese text for people, ETSI TS 119 102-2 XML for machines."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from casefile.signing.pades import SignatureOptions, SigningEnvironment, sign_document
from casefile.signing.report import etsi_report_xml, render_text_report
from casefile.signing.signers import SoftwareSigner
from casefile.signing.validation import ValidationPolicy, validate_pdf

VR = "{http://uri.etsi.org/19102/v1.2.1#}"
BODY_MARKER = b"QUYET DINH KHOI TO VU AN HINH SU"


async def test_text_report_valid_in_vietnamese(signed_bt: bytes, policy: ValidationPolicy) -> None:
    report = render_text_report(await validate_pdf(signed_bt, policy), document_name="QĐ 12")
    assert "KẾT LUẬN: HỢP LỆ" in report
    assert "Người ký: Nguyễn Văn An" in report
    assert "Trạng thái chứng thư số tại thời điểm ký: Có hiệu lực" in report
    assert "Thời điểm ký theo dấu thời gian:" in report and "(UTC+07:00)" in report
    assert "Toàn vẹn nội dung: nguyên vẹn" in report
    assert "Phiên bản ghi thêm sau khi ký: 0" in report
    assert "Mức chữ ký PAdES: B-T" in report
    assert "TEST ONLY" in report


async def test_text_report_tampered_not_valid_with_reason(
    signed_bt: bytes, policy: ValidationPolicy
) -> None:
    at = signed_bt.index(BODY_MARKER)
    tampered = signed_bt[:at] + b"Z" + signed_bt[at + 1 :]
    report = render_text_report(await validate_pdf(tampered, policy))
    assert "KẾT LUẬN: KHÔNG HỢP LỆ — Nội dung đã bị thay đổi sau khi ký" in report
    assert "Toàn vẹn nội dung: ĐÃ BỊ THAY ĐỔI" in report


async def test_etsi_report_xml_passed_and_failed(
    signed_bt: bytes, policy: ValidationPolicy
) -> None:
    passed = ET.fromstring(etsi_report_xml(await validate_pdf(signed_bt, policy)))
    (report,) = passed.findall(f"{VR}SignatureValidationReport")
    indication = report.find(f"{VR}SignatureValidationStatus/{VR}MainIndication")
    assert indication is not None
    assert indication.text == "urn:etsi:019102:mainindication:total-passed"
    assert passed.find(f"{VR}SignatureValidationObjects") is not None

    at = signed_bt.index(BODY_MARKER)
    tampered = signed_bt[:at] + b"Z" + signed_bt[at + 1 :]
    failed = ET.fromstring(etsi_report_xml(await validate_pdf(tampered, policy)))
    indication = failed.find(
        f"{VR}SignatureValidationReport/{VR}SignatureValidationStatus/{VR}MainIndication"
    )
    assert indication is not None
    assert indication.text == "urn:etsi:019102:mainindication:total-failed"


async def test_etsi_report_xml_one_report_per_signature(
    signed_bt: bytes,
    env: SigningEnvironment,
    signer_for: Callable[[str], SoftwareSigner],
    policy: ValidationPolicy,
) -> None:
    both = await sign_document(
        signed_bt, signer_for("prosecutor"), env, SignatureOptions(field_name="ChuKy_KSV")
    )
    result = await validate_pdf(both, policy)
    root = ET.fromstring(etsi_report_xml(result))
    reports = root.findall(f"{VR}SignatureValidationReport")
    assert len(reports) == 2
    ids = [o.get("id") for o in root.iter(f"{VR}ValidationObject")]
    assert len(ids) == len(set(ids))
    assert "Trần Thị Bình" in render_text_report(result)
