"""The rules of handing a case file from one agency to another, without I/O or clocks.

A transfer is one of the moves the procedure has between agencies; each names who may send,
who may receive, and the stage the file enters on acceptance. The receiver's system checks
the file's legality before a person accepts it (art. 9(3), 15(1)): every document's bytes
against the inventory's SHA-256, every signature, and the record (bút lục) numbers, which
must run from 1 with no gap and no extra.

Legal basis: Joint Circular art. 9(1)-(3), 15(1), 18(2); CPC art. 232, 240, 243, 245, 280.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from casefile.codes import AgencyKind, Stage
from casefile.errors import NotPermitted, ProceduralViolation

__all__ = [
    "TransferKind",
    "TransferState",
    "TransferRule",
    "RULES",
    "check_transfer",
    "PhysicalItem",
    "InventoryEntry",
    "SignatureFact",
    "Inventory",
    "Finding",
    "record_number_findings",
    "legality_report_text",
]


class TransferKind(StrEnum):
    INVESTIGATION_CONCLUSION = "investigation_conclusion"
    """Investigation agency → procuracy, with the proposal to prosecute (CPC art. 232)."""
    INDICTMENT = "indictment"
    """Procuracy → court (CPC art. 243)."""
    RETURN_FOR_INVESTIGATION = "return_for_investigation"
    """Procuracy → investigation agency for additional investigation (CPC art. 245)."""
    RETURN_TO_PROCURACY = "return_to_procuracy"
    """Court → procuracy for additional investigation (CPC art. 280)."""
    ENFORCEMENT = "enforcement"
    """Court or procuracy → detention facility or enforcement agency (CPC art. 363-364)."""


class TransferState(StrEnum):
    PREPARING = "preparing"
    SENT = "sent"  # every byte is at the receiver, which confirmed receipt electronically
    CHECKED = "checked"  # the receiver's legality check ran; awaiting a person's decision
    ACCEPTED = "accepted"
    RETURNED = "returned"
    FAILED = "failed"


@dataclass(frozen=True)
class TransferRule:
    kind: TransferKind
    senders: frozenset[AgencyKind]
    receivers: frozenset[AgencyKind]
    from_stages: frozenset[Stage]
    target_stage: Stage
    act: str
    article: str


_INVESTIGATORS = frozenset({AgencyKind.INVESTIGATION_AGENCY})
RULES: dict[TransferKind, TransferRule] = {
    rule.kind: rule
    for rule in (
        TransferRule(
            TransferKind.INVESTIGATION_CONCLUSION,
            _INVESTIGATORS,
            frozenset({AgencyKind.PROCURACY}),
            frozenset({Stage.INVESTIGATION}),
            Stage.PROSECUTION,
            "Chuyển hồ sơ kèm bản kết luận điều tra đề nghị truy tố",
            "CPC art. 232",
        ),
        TransferRule(
            TransferKind.INDICTMENT,
            frozenset({AgencyKind.PROCURACY}),
            frozenset({AgencyKind.COURT}),
            frozenset({Stage.PROSECUTION}),
            Stage.TRIAL,
            "Chuyển hồ sơ kèm bản cáo trạng",
            "CPC art. 243",
        ),
        TransferRule(
            TransferKind.RETURN_FOR_INVESTIGATION,
            frozenset({AgencyKind.PROCURACY}),
            _INVESTIGATORS,
            frozenset({Stage.PROSECUTION}),
            Stage.INVESTIGATION,
            "Trả hồ sơ để điều tra bổ sung",
            "CPC art. 245",
        ),
        TransferRule(
            TransferKind.RETURN_TO_PROCURACY,
            frozenset({AgencyKind.COURT}),
            frozenset({AgencyKind.PROCURACY}),
            frozenset({Stage.TRIAL}),
            Stage.PROSECUTION,
            "Trả hồ sơ để điều tra bổ sung",
            "CPC art. 280",
        ),
        TransferRule(
            TransferKind.ENFORCEMENT,
            frozenset({AgencyKind.COURT, AgencyKind.PROCURACY}),
            frozenset({AgencyKind.DETENTION_FACILITY, AgencyKind.ENFORCEMENT_AGENCY}),
            frozenset({Stage.TRIAL, Stage.ENFORCEMENT}),
            Stage.ENFORCEMENT,
            "Chuyển hồ sơ để thi hành án",
            "CPC art. 363, 364",
        ),
    )
}


def check_transfer(
    kind: TransferKind,
    *,
    sender: AgencyKind,
    receiver: AgencyKind,
    stage: Stage,
    same_agency: bool,
) -> TransferRule:
    """Return the rule of ``kind`` or refuse the move, naming what does not fit."""
    rule = RULES[kind]
    if same_agency:
        raise ProceduralViolation(
            "a case file is transferred to another agency, not to its own holder",
            article="Joint Circular art. 9(1)",
            field="to_agency_code",
        )
    if sender not in rule.senders:
        raise NotPermitted(f"a {sender} does not send a file by {kind}", field="kind")
    if receiver not in rule.receivers:
        allowed = ", ".join(sorted(rule.receivers))
        raise ProceduralViolation(
            f"{kind} goes to a {allowed}, not to a {receiver}",
            article=rule.article,
            field="to_agency_code",
        )
    if stage not in rule.from_stages:
        allowed = ", ".join(sorted(rule.from_stages))
        raise ProceduralViolation(
            f"a case in stage {stage} cannot be sent by {kind} (stage must be {allowed})",
            article=rule.article,
            field="kind",
        )
    return rule


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class PhysicalItem(_Frozen):
    """Physical evidence or a paper item handed over with the file (art. 9(2), 12)."""

    description: str = Field(min_length=1, max_length=500)
    quantity: int = Field(default=1, ge=1)
    seal_status: str = Field(min_length=1, max_length=200)
    """E.g. "niêm phong nguyên vẹn" (seal intact), with the seal's number."""
    delivery_method: str = Field(min_length=1, max_length=200)
    """E.g. "giao trực tiếp" (handed over in person), "qua bưu điện"."""
    handed_over_by: str | None = None
    """Who hands it over and when: recorded by the system, not taken from the request."""
    recorded_at: datetime | None = None


class SignatureFact(_Frozen):
    kind: str
    signer_name: str
    certificate_serial: str
    certificate_issuer: str
    level: str
    signed_at: datetime


class InventoryEntry(_Frozen):
    code: str
    number: int
    doc_type: str
    title: str
    form: str
    status: str
    secrecy: str
    procedural_number: str | None
    first_record: int
    last_record: int
    page_count: int
    sha256: str
    size: int
    media_type: str
    created_at: datetime
    registered_at: datetime | None
    signatures: list[SignatureFact] = []


class InventoryParty(_Frozen):
    code: str
    number: int
    role: str
    full_name: str
    birth_year: int | None
    residence: str
    national_id: str | None
    e_account: str | None
    detained: bool
    whereabouts_known: bool
    created_at: datetime


class Inventory(_Frozen):
    """The snapshot the sender signs for and the receiver checks (art. 9(1)-(3))."""

    transfer_id: str
    kind: TransferKind
    case_code: str
    case_title: str
    case_summary: str
    case_offence: str
    case_secrecy: str
    case_stage: Stage
    case_opened_at: datetime
    from_agency_code: str
    to_agency_code: str
    last_record: int
    """The sender's last record number: the inventory must reach it with no gap."""
    documents: list[InventoryEntry]
    parties: list[InventoryParty]
    physical_items: list[PhysicalItem]
    handover_document_code: str
    sent_by: str
    sent_at: datetime


class Finding(_Frozen):
    """One problem the legality check found, naming the document or record numbers."""

    check: str  # "hash", "missing", "signature", "records"
    document_code: str | None = None
    detail: str


def record_number_findings(entries: Sequence[InventoryEntry], last_record: int) -> list[Finding]:
    """Record numbers must run 1..last_record, each used once (art. 10(3), 13(1))."""
    findings: list[Finding] = []
    seen: dict[int, str] = {}
    for entry in entries:
        for record in range(entry.first_record, entry.last_record + 1):
            if record in seen:
                findings.append(
                    Finding(
                        check="records",
                        document_code=entry.code,
                        detail=f"record number {record} also belongs to {seen[record]}",
                    )
                )
            elif record > last_record:
                findings.append(
                    Finding(
                        check="records",
                        document_code=entry.code,
                        detail=f"record number {record} is beyond the last ({last_record})",
                    )
                )
            seen.setdefault(record, entry.code)
    findings += [
        Finding(check="records", detail=f"record numbers {first}-{last} missing")
        for first, last in _runs(n for n in range(1, last_record + 1) if n not in seen)
    ]
    return findings


def _runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


CHECK_LABELS = {
    "hash": "Tài liệu bị thay đổi (mã băm SHA-256 không khớp bảng kê)",
    "missing": "Thiếu tài liệu",
    "signature": "Chữ ký số không hợp lệ",
    "records": "Số bút lục không liên tục hoặc trùng",
}


def legality_report_text(
    inventory: Inventory, findings: Sequence[Finding], *, documents: int, signatures: int
) -> str:
    """The receiver's legality check as people read it (Vietnamese, plain text), for the
    person who accepts or returns the file (art. 9(3), 15(1))."""
    lines = [
        "BÁO CÁO KIỂM TRA TÍNH HỢP LỆ CỦA HỒ SƠ ĐIỆN TỬ ĐƯỢC CHUYỂN GIAO",
        f"Mã hồ sơ: {inventory.case_code} — {inventory.case_title}",
        f"Bên giao: {inventory.from_agency_code}; bên nhận: {inventory.to_agency_code}; "
        f"lập bảng kê: {inventory.sent_at.isoformat()} ({inventory.sent_by})",
        f"Biên bản giao nhận: {inventory.handover_document_code}",
        f"Số tài liệu đã kiểm tra: {documents}; số chữ ký đã kiểm tra: {signatures}; "
        f"bút lục từ 1 đến {inventory.last_record}",
        "KẾT LUẬN: " + ("ĐẠT" if not findings else f"KHÔNG ĐẠT — {len(findings)} vấn đề"),
    ]
    for number, finding in enumerate(findings, start=1):
        where = f" [{finding.document_code}]" if finding.document_code else ""
        lines.append(
            f"{number}. {CHECK_LABELS.get(finding.check, finding.check)}{where}: {finding.detail}"
        )
    if inventory.physical_items:
        lines.append("Vật chứng, tài liệu giao kèm (kiểm tra khi nhận trực tiếp):")
        lines += [
            f"- {item.description} (số lượng {item.quantity}; niêm phong: {item.seal_status}; "
            f"hình thức giao: {item.delivery_method})"
            for item in inventory.physical_items
        ]
    return "\n".join(lines) + "\n"
