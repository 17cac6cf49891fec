"""Validation reports: one for people (Vietnamese), one for machines (ETSI TS 119 102-2).

Legal basis: Joint Circular art. 17(1)(a) (automatic authentication of signatures, with
its result recorded), art. 9(1)-(3) and art. 15(1) (the receiving agency checks the
legality of what it receives).

:func:`render_text_report` is modelled on the EU DSS "simple report": a verdict per
signature and for the document, the signer, the certificate's status at the time of
signing, the time-stamp, integrity and what changed afterwards, and the PAdES level.
:func:`etsi_report_xml` is pyHanko's ETSI TS 119 102-2 validation report
(``pyhanko[etsi]``), one ``SignatureValidationReport`` per signature, merged into a
single ``ValidationReport`` document.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from pyhanko.sign.validation.ades import AdESBasicValidationResult
from pyhanko.sign.validation.report.tools import NAMESPACES, generate_report

from casefile.signing.pades import format_vn_time
from casefile.signing.validation import (
    CertificateStatus,
    DocumentValidation,
    ReasonCode,
    SignatureKind,
    SignatureValidation,
    Verdict,
)

__all__ = ["VERDICT_LABELS", "etsi_report_xml", "render_text_report"]

VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.VALID: "HỢP LỆ",
    Verdict.INVALID: "KHÔNG HỢP LỆ",
    Verdict.INDETERMINATE: "CHƯA XÁC ĐỊNH",
}

REASON_LABELS: dict[ReasonCode, str] = {
    ReasonCode.OK: "Chữ ký hợp lệ",
    ReasonCode.NO_SIGNATURES: "Tài liệu không có chữ ký số",
    ReasonCode.FORMAT_ERROR: "Không đọc được chữ ký (sai định dạng)",
    ReasonCode.HASH_MISMATCH: "Nội dung đã bị thay đổi sau khi ký (giá trị băm không khớp)",
    ReasonCode.SIGNATURE_CRYPTO_FAILURE: "Chữ ký không đúng về mặt mật mã",
    ReasonCode.MODIFIED_AFTER_SIGNING: "Tài liệu bị sửa đổi sau khi ký bằng thay đổi không "
    "được phép",
    ReasonCode.CERTIFICATE_REVOKED: "Chứng thư số đã bị thu hồi tại thời điểm ký",
    ReasonCode.CERTIFICATE_EXPIRED: "Chứng thư số đã hết hạn tại thời điểm ký",
    ReasonCode.CERTIFICATE_NOT_YET_VALID: "Chứng thư số chưa có hiệu lực tại thời điểm ký",
    ReasonCode.UNTRUSTED_CERTIFICATE: "Chứng thư số không thuộc chuỗi tin cậy được chấp nhận",
    ReasonCode.TIMESTAMP_INVALID: "Dấu thời gian không hợp lệ",
    ReasonCode.MISSING_TIMESTAMP: "Thiếu dấu thời gian (chưa đạt PAdES B-T)",
    ReasonCode.REVOCATION_UNAVAILABLE: "Không có thông tin thu hồi để kiểm tra chứng thư số",
    ReasonCode.OTHER: "Không xác định được (xem chi tiết kỹ thuật)",
}

CERT_STATUS_LABELS: dict[CertificateStatus, str] = {
    CertificateStatus.GOOD: "Có hiệu lực",
    CertificateStatus.REVOKED: "Đã bị thu hồi",
    CertificateStatus.EXPIRED: "Đã hết hạn",
    CertificateStatus.NOT_YET_VALID: "Chưa có hiệu lực",
    CertificateStatus.UNTRUSTED: "Không thuộc chuỗi tin cậy",
    CertificateStatus.UNKNOWN: "Không xác định",
}

KIND_LABELS: dict[SignatureKind, str] = {
    SignatureKind.SIGNATURE: "Chữ ký số",
    SignatureKind.CERTIFICATION: "Chữ ký số chứng nhận tài liệu (DocMDP)",
    SignatureKind.DOCUMENT_TIMESTAMP: "Dấu thời gian tài liệu",
}

MODIFICATION_LABELS: dict[str, str] = {
    "NONE": "không có",
    "LTA_UPDATES": "chỉ bổ sung dữ liệu xác thực, dấu thời gian lưu trữ",
    "FORM_FILLING": "điền biểu mẫu, ký bổ sung, đóng dấu vào sổ (được phép)",
    "ANNOTATIONS": "thêm chú thích",
    "OTHER": "thay đổi khác, không được phép",
}


def _time(value: datetime | None) -> str:
    return format_vn_time(value) if value is not None else "không có"


def _signature_section(index: int, sig: SignatureValidation) -> list[str]:
    lines = [
        f"{index}. {KIND_LABELS[sig.kind]} — trường «{sig.field_name}»",
        f"   Kết quả: {VERDICT_LABELS[sig.verdict]} — {REASON_LABELS[sig.reason]}",
    ]
    if sig.kind is SignatureKind.DOCUMENT_TIMESTAMP:
        lines.append(f"   Đơn vị cấp dấu thời gian: {sig.signer_name}")
        lines.append(f"   Thời điểm: {_time(sig.timestamp_time)}")
    else:
        lines.append(f"   Người ký: {sig.signer_name}")
        lines.append(f"   Chứng thư số: {sig.signer_subject}")
        lines.append(f"   Tổ chức cấp: {sig.issuer_subject} (số hiệu {sig.certificate_serial})")
        status = CERT_STATUS_LABELS[sig.certificate_status]
        if sig.revocation_time is not None:
            status += f" (thu hồi lúc {_time(sig.revocation_time)})"
        lines.append(f"   Trạng thái chứng thư số tại thời điểm ký: {status}")
        lines.append(f"   Thời điểm ký theo dấu thời gian: {_time(sig.timestamp_time)}")
        lines.append(f"   Thời điểm ký do phần mềm ký khai báo: {_time(sig.claimed_signing_time)}")
        lines.append(f"   Mức chữ ký PAdES: {sig.pades_level.value}")
        if sig.certification_permission:
            lines.append(f"   Quyền thay đổi cho phép (DocMDP): {sig.certification_permission}")
    lines.append(
        "   Toàn vẹn nội dung: "
        + ("nguyên vẹn" if sig.intact else "ĐÃ BỊ THAY ĐỔI")
        + ("" if sig.crypto_valid or not sig.intact else "; chữ ký sai về mật mã")
    )
    mod = MODIFICATION_LABELS.get(sig.modification_level or "", "không xác định")
    lines.append(f"   Phiên bản ghi thêm sau khi ký: {sig.later_revisions} ({mod})")
    indication = sig.ades_indication + (
        f" / {sig.ades_subindication}" if sig.ades_subindication else ""
    )
    lines.append(f"   Chỉ dẫn ETSI EN 319 102-1: {indication}")
    if sig.verdict is not Verdict.VALID and sig.reason_detail:
        lines.append(f"   Chi tiết kỹ thuật: {sig.reason_detail}")
    return lines


def render_text_report(result: DocumentValidation, *, document_name: str | None = None) -> str:
    """Render a plain-text Vietnamese validation report (EU DSS "simple report" style)."""
    signatures = [s for s in result.signatures if s.kind is not SignatureKind.DOCUMENT_TIMESTAMP]
    valid = sum(1 for s in signatures if s.verdict is Verdict.VALID)
    lines = ["BÁO CÁO KIỂM TRA CHỮ KÝ SỐ"]
    if document_name:
        lines.append(f"Tài liệu: {document_name}")
    lines += [
        f"Thời điểm kiểm tra: {_time(result.validation_time)}",
        f"KẾT LUẬN: {VERDICT_LABELS[result.verdict]}"
        + ("" if result.verdict is Verdict.VALID else f" — {REASON_LABELS[result.reason]}"),
        f"Số chữ ký hợp lệ: {valid}/{len(signatures)}; "
        f"số dấu thời gian tài liệu: {len(result.signatures) - len(signatures)}; "
        f"số phiên bản của tệp: {result.revisions}",
    ]
    if any("TEST ONLY" in s.signer_subject for s in result.signatures):
        lines.append("CẢNH BÁO: có chứng thư số thử nghiệm (TEST ONLY), không có giá trị pháp lý.")
    for i, sig in enumerate(result.signatures, start=1):
        lines.append("")
        lines.extend(_signature_section(i, sig))
    return "\n".join(lines) + "\n"


def etsi_report_xml(result: DocumentValidation) -> str:
    """ETSI TS 119 102-2 validation report of every signature, as one XML document.

    Document time-stamps are not reported separately (pyHanko's report covers
    signatures); they appear as proofs of existence in the signatures' validation.
    """
    for prefix, uri in NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    vr = NAMESPACES["vr"]
    merged: ET.Element | None = None
    objects: ET.Element | None = None
    seen_objects: set[str] = set()
    for emb, ades_result in result.raw:
        if not isinstance(ades_result, AdESBasicValidationResult):
            continue
        root = ET.fromstring(generate_report(emb, ades_result))
        if merged is None:
            merged = root
            objects = root.find(f"{{{vr}}}SignatureValidationObjects")
            if objects is not None:
                seen_objects = {o.get("id", "") for o in objects}
            continue
        anchor = merged.find(f"{{{vr}}}SignatureValidationObjects")
        for report in root.findall(f"{{{vr}}}SignatureValidationReport"):
            if anchor is not None:
                merged.insert(list(merged).index(anchor), report)
            else:
                merged.append(report)
        new_objects = root.find(f"{{{vr}}}SignatureValidationObjects")
        if new_objects is not None:
            if objects is None:
                objects = ET.SubElement(merged, f"{{{vr}}}SignatureValidationObjects")
            for obj in new_objects:
                if obj.get("id", "") not in seen_objects:
                    seen_objects.add(obj.get("id", ""))
                    objects.append(obj)
    if merged is None:
        merged = ET.Element(f"{{{vr}}}ValidationReport")
    ET.indent(merged)
    return ET.tostring(merged, encoding="unicode", xml_declaration=True)
