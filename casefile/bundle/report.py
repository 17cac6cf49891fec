"""The bundle verification as people read it (Vietnamese), in the style of the PDF report.

Legal basis: Joint Circular art. 9(3), 15(1) (the receiver verifies and records the
result), art. 17(1)(a).
"""

from __future__ import annotations

from casefile.bundle.inventory import InventoryDocument
from casefile.bundle.verify import BundleProblem, BundleVerification
from casefile.signing.pades import format_vn_time
from casefile.signing.report import REASON_LABELS, VERDICT_LABELS

__all__ = ["PROBLEM_LABELS", "render_bundle_report"]

PROBLEM_LABELS: dict[BundleProblem, str] = {
    BundleProblem.MIMETYPE_WRONG: "Tệp «mimetype» sai hoặc không đứng đầu gói",
    BundleProblem.MANIFEST_MISSING: "Thiếu bảng kê ASiCManifest",
    BundleProblem.MANIFEST_MALFORMED: "Bảng kê ASiCManifest sai định dạng",
    BundleProblem.SEAL_MISSING: "Gói chưa được đóng dấu điện tử",
    BundleProblem.SEAL_MALFORMED: "Con dấu điện tử sai định dạng",
    BundleProblem.SEAL_BROKEN: "Con dấu điện tử không khớp: bảng kê đã bị sửa sau khi đóng dấu",
    BundleProblem.SEAL_UNTRUSTED: "Chứng thư của con dấu không thuộc chuỗi tin cậy hoặc không "
    "có hiệu lực khi đóng dấu",
    BundleProblem.SEAL_WRONG_AGENCY: "Con dấu không phải của cơ quan xuất gói",
    BundleProblem.FILE_MISSING: "Thiếu tệp có trong bảng kê",
    BundleProblem.FILE_EXTRA: "Có tệp không nằm trong bảng kê",
    BundleProblem.FILE_HASH_MISMATCH: "Tệp đã bị thay đổi (giá trị băm không khớp bảng kê)",
    BundleProblem.INVENTORY_MISSING: "Thiếu danh mục hồ sơ",
    BundleProblem.INVENTORY_MALFORMED: "Danh mục hồ sơ sai định dạng",
    BundleProblem.INVENTORY_MISMATCH: "Danh mục hồ sơ không khớp bảng kê hoặc tài liệu",
    BundleProblem.RECORD_GAP: "Số thứ tự tài liệu hoặc số bút lục không liên tục",
    BundleProblem.SIGNATURE_INVALID: "Chữ ký số của tài liệu không hợp lệ",
    BundleProblem.SIGNATURE_INDETERMINATE: "Chưa xác định được chữ ký số của tài liệu",
    BundleProblem.CONFIRMATION_INVALID: "Xác nhận của người tham gia tố tụng không hợp lệ",
}


def _document_line(doc: InventoryDocument) -> str:
    records = (
        str(doc.first_record)
        if doc.first_record == doc.last_record
        else f"{doc.first_record}–{doc.last_record}"
    )
    number = f", số {doc.procedural_number}" if doc.procedural_number else ""
    return f"{doc.code}, bút lục {records}{number}"


def render_bundle_report(result: BundleVerification, *, bundle_name: str) -> str:
    """A plain-text report: the case, the seal, each document, then every problem found."""
    inventory = result.inventory
    lines = [
        "BÁO CÁO KIỂM TRA GÓI HỒ SƠ ĐIỆN TỬ (ASiC-E)",
        f"Tệp: {bundle_name}",
    ]
    if inventory is not None:
        lines += [
            f"Mã hồ sơ: {inventory.case_code} — {inventory.case_title}",
            f"Giai đoạn: {inventory.stage}; độ mật: {inventory.secrecy}",
            f"Cơ quan xuất: {inventory.agency_name} ({inventory.agency_code}); "
            f"người xuất: {inventory.exported_by}; lúc {format_vn_time(inventory.exported_at)}",
            f"Số tài liệu: {len(inventory.documents)}; số bút lục: {inventory.record_count}",
        ]
    lines += [f"KẾT LUẬN: {VERDICT_LABELS[result.verdict]}", ""]
    seal = result.seal
    if seal is not None:
        state = "hợp lệ" if seal.problem is None else "KHÔNG HỢP LỆ"
        stamped = format_vn_time(seal.timestamp_time) if seal.timestamp_time else "không có"
        lines += [
            f"Con dấu điện tử: {state}",
            f"   Chứng thư: {seal.holder or 'không đọc được'} (số hiệu {seal.certificate_serial})",
            f"   Thời điểm đóng dấu theo dấu thời gian: {stamped}",
            "",
        ]
    codes = {doc.path: doc for doc in inventory.documents} if inventory else {}
    lines.append(f"Tài liệu ({len(result.documents)}):")
    for index, check in enumerate(result.documents, 1):
        doc = codes.get(check.path)
        where = _document_line(doc) if doc else check.path
        validation = check.validation
        lines.append(
            f"{index}. {where}: {VERDICT_LABELS[validation.verdict]} — "
            f"{REASON_LABELS[validation.reason]} ({len(validation.signatures)} chữ ký/dấu "
            "thời gian)"
        )
        for confirmation in check.confirmations:
            lines.append(
                f"   xác nhận của {confirmation.party_code} ({confirmation.form.value}, "
                f"{format_vn_time(confirmation.confirmed_at)}): "
                f"{VERDICT_LABELS[confirmation.verdict]}"
            )
        if check.proven_at is not None:
            lines.append(
                f"   kiểm tra tại thời điểm đóng dấu gói: {format_vn_time(check.proven_at)}"
            )
    lines.append("")
    if result.findings:
        lines.append(f"Vấn đề phát hiện ({len(result.findings)}):")
        for finding in result.findings:
            where = f" {finding.path}" if finding.path else ""
            lines.append(f"- [{finding.problem.value}]{where}: {PROBLEM_LABELS[finding.problem]}")
            lines.append(f"    {finding.detail}")
    else:
        lines.append(
            "Không phát hiện vấn đề: mọi tệp khớp bảng kê, con dấu hợp lệ, danh mục đầy đủ, "
            "bút lục liên tục, mọi chữ ký số hợp lệ."
        )
    return "\n".join(lines)
