"""Catalog of procedural document types: fields, authority, numbering and recipients.

Each :class:`DocType` has one :class:`DocTypeSpec` in :data:`CATALOG`, which says what the
document is called, which template renders it, which fields it needs (a Pydantic v2
model), who may issue it, at which stage, whether a participant must countersign or
confirm it, and to whom it goes by default.

Pure module: no database, no Temporal, no HTTP.

Legal basis: CPC art. 132(1) (procedural documents signed by persons with authority);
Joint Circular art. 5 (official digital signatures on procedural documents), art. 6
(a participant's signature or other confirmation), art. 13(2) (uniform format and
presentation of electronic procedural documents).
"""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from casefile.codes import AgencyKind, PartyRole, Role, Stage
from casefile.errors import InvalidInput

__all__ = [
    "CATALOG",
    "AccusedPerson",
    "CaseFileHandoverRecordFields",
    "DecisionBringToTrialFields",
    "DecisionInstituteAccusedFields",
    "DecisionInstituteCaseFields",
    "DocType",
    "DocTypeSpec",
    "DocumentFields",
    "Gender",
    "HandoverItem",
    "IndictmentFields",
    "InstitutionBasis",
    "InvalidDocumentField",
    "InvestigationConclusionFields",
    "NotificationRequestFields",
    "RequestedPublication",
    "PARTY_ROLE_LABELS",
    "Person",
    "ProceduralDocumentNoticeFields",
    "PublicNotificationFields",
    "SignatureSlot",
    "StatementRecordFields",
    "SummonsFields",
    "format_procedural_number",
    "get_spec",
    "nfc",
    "procedural_symbol",
    "validate_fields",
]


# --------------------------------------------------------------------------- errors


class InvalidDocumentField(InvalidInput, ValueError):
    """A field of a procedural document is missing or malformed.

    ``field`` is the dotted path of the first offending field (``accused.0.full_name``);
    ``errors`` lists every ``(field, message)`` pair Pydantic found, so a form can mark
    them all at once. Subclasses :class:`casefile.errors.InvalidInput` (the API maps it
    to a 4xx naming the field) and :class:`ValueError`.
    """

    def __init__(
        self, field: str, message: str, *, errors: tuple[tuple[str, str], ...] = ()
    ) -> None:
        super().__init__(f"{field}: {message}", field=field)
        self.field: str = field
        self.message = message
        self.errors = errors or ((field, message),)


# --------------------------------------------------------------------------- helpers


def nfc(value: Any) -> Any:
    """Return ``value`` with every string in it (recursively) normalized to NFC.

    Vietnamese typed on some keyboards or pasted from macOS arrives decomposed (NFD):
    it renders the same but extracts, compares and hashes differently.
    """
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [nfc(v) for v in value]
    return value


# Short single-line text (a name, a place, a number) and free text (facts, statements).
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
# "khoản 1 Điều 173" — the provision of the Penal Code (Bộ luật Hình sự).
Provision = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=5, max_length=200, pattern=r"(?i)điều\s+\d+"
    ),
]
# "12/QĐ-CSĐT" or "45/2026/QĐXXST-HS": a number, optional year, a symbol.
ProceduralNumber = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=60, pattern=r"^\d+(/\d{4})?/[^\s/]+(-[^\s/]+)*$"
    ),
]
NationalId = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
BirthYear = Annotated[int, Field(ge=1900, le=2100)]


class _Fields(BaseModel):
    """Base of every field model: frozen, unknown keys refused, text NFC."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        return nfc(data)


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> str:
        return {"male": "Nam", "female": "Nữ"}[self.value]


class Person(_Fields):
    """A participant as a procedural document names them."""

    full_name: Line
    birth_year: BirthYear | None = None
    gender: Gender | None = None
    residence: Line | None = None
    national_id: NationalId | None = None
    occupation: Line | None = None


class AccusedPerson(Person):
    """An accused or defendant: the identity block of CPC art. 179(2), 243, 255."""

    other_name: Line | None = None
    birth_date: date | None = None
    birthplace: Line | None = None
    nationality: Line = "Việt Nam"
    ethnicity: Line | None = None
    criminal_record: Line | None = None  # tiền án, tiền sự
    preventive_measure: Line | None = None  # biện pháp ngăn chặn đang áp dụng

    @model_validator(mode="after")
    def _birth_consistent(self) -> Self:
        if self.birth_date and self.birth_year and self.birth_date.year != self.birth_year:
            raise _FieldError("birth_year", "does not match birth_date")
        return self


class InstitutionBasis(StrEnum):
    """Grounds for instituting a criminal case (CPC art. 143)."""

    DENUNCIATION = "denunciation"
    REPORT_BY_AGENCY = "report_by_agency"
    PETITION = "petition"
    DISCOVERED_BY_AUTHORITY = "discovered_by_authority"
    SURRENDER = "surrender"

    @property
    def label(self) -> str:
        return _INSTITUTION_BASIS_LABELS[self]


_INSTITUTION_BASIS_LABELS = {
    InstitutionBasis.DENUNCIATION: "tố giác của cá nhân",
    InstitutionBasis.REPORT_BY_AGENCY: "tin báo của cơ quan, tổ chức, cá nhân",
    InstitutionBasis.PETITION: "kiến nghị khởi tố của cơ quan nhà nước",
    InstitutionBasis.DISCOVERED_BY_AUTHORITY: (
        "cơ quan có thẩm quyền tiến hành tố tụng trực tiếp phát hiện dấu hiệu tội phạm"
    ),
    InstitutionBasis.SURRENDER: "người phạm tội tự thú",
}


# Capacity in the proceedings as printed ("tư cách tham gia tố tụng", CPC art. 55).
PARTY_ROLE_LABELS: Mapping[PartyRole, str] = {
    PartyRole.REPORTER: "người tố giác, báo tin về tội phạm",
    PartyRole.SUSPECT: "người bị giữ, bị bắt, bị tạm giữ",
    PartyRole.ACCUSED: "bị can",
    PartyRole.DEFENDANT: "bị cáo",
    PartyRole.VICTIM: "bị hại",
    PartyRole.CIVIL_PLAINTIFF: "nguyên đơn dân sự",
    PartyRole.CIVIL_DEFENDANT: "bị đơn dân sự",
    PartyRole.RELATED_PERSON: "người có quyền lợi, nghĩa vụ liên quan đến vụ án",
    PartyRole.WITNESS: "người làm chứng",
    PartyRole.DEFENCE_COUNSEL: "người bào chữa",
    PartyRole.LEGAL_REPRESENTATIVE: "người đại diện theo pháp luật",
}


# --------------------------------------------------------------------------- field models


class DecisionInstituteCaseFields(_Fields):
    """Quyết định khởi tố vụ án hình sự. Legal basis: CPC art. 143, 153, 154."""

    basis: InstitutionBasis
    offence_name: Line  # tội danh, e.g. "Trộm cắp tài sản"
    penal_code_provision: Provision
    occurred_on: date
    occurred_at: Line
    facts: Text
    assigned_to: Line | None = None  # who investigates, when not the issuing agency
    extra_grounds: list[Line] = Field(default_factory=list, max_length=10)


class DecisionInstituteAccusedFields(_Fields):
    """Quyết định khởi tố bị can. Legal basis: CPC art. 179."""

    accused: AccusedPerson
    case_decision_number: ProceduralNumber
    case_decision_date: date
    offence_name: Line
    penal_code_provision: Provision
    facts: Text
    extra_grounds: list[Line] = Field(default_factory=list, max_length=10)


class SummonsFields(_Fields):
    """Giấy triệu tập. Legal basis: CPC art. 182 (accused), 185-187 (witness, victim ...)."""

    person: Person
    capacity: PartyRole
    case_name: Line | None = None
    appear_at: datetime
    appear_place: Line
    purpose: Text
    contact: Line | None = None  # officer to ask for on arrival


class StatementRecordFields(_Fields):
    """Biên bản ghi lời khai. Legal basis: CPC art. 133, 178, 186-188, 190."""

    started_at: datetime
    ended_at: datetime | None = None
    place: Line
    interviewer_name: Line
    interviewer_title: Line  # e.g. "Điều tra viên"
    recorder_name: Line | None = None
    deponent: Person
    deponent_capacity: PartyRole
    other_participants: list[Line] = Field(default_factory=list, max_length=10)
    statement: Text
    read_back: bool = True  # the record was read to the deponent (CPC art. 178(2))

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise _FieldError("ended_at", "must not be before started_at")
        return self


class InvestigationConclusionFields(_Fields):
    """Bản kết luận điều tra đề nghị truy tố. Legal basis: CPC art. 232, 233."""

    case_name: Line
    case_decision_number: ProceduralNumber
    case_decision_date: date
    accused: list[AccusedPerson] = Field(min_length=1, max_length=50)
    facts: Text
    evidence: Text | None = None
    offence_name: Line
    penal_code_provision: Provision
    circumstances: Text | None = None  # aggravating and mitigating circumstances
    evidence_handling: Text | None = None  # xử lý vật chứng
    procuracy_name: Line  # to which the file goes with the proposal to prosecute


class IndictmentFields(_Fields):
    """Cáo trạng. Legal basis: CPC art. 243."""

    case_name: Line
    conclusion_number: ProceduralNumber
    conclusion_date: date
    accused: list[AccusedPerson] = Field(min_length=1, max_length=50)
    facts: Text
    evidence: Text | None = None
    offence_name: Line
    penal_code_provision: Provision
    circumstances: Text | None = None
    court_name: Line
    attachments: list[Line] = Field(default_factory=list, max_length=30)


class DecisionBringToTrialFields(_Fields):
    """Quyết định đưa vụ án ra xét xử (first instance). Legal basis: CPC art. 254, 255."""

    case_name: Line
    indictment_number: ProceduralNumber
    indictment_date: date
    defendants: list[AccusedPerson] = Field(min_length=1, max_length=50)
    offence_name: Line
    penal_code_provision: Provision
    trial_at: datetime
    trial_place: Line
    public_trial: bool = True
    presiding_judge: Line
    judges: list[Line] = Field(default_factory=list, max_length=2)
    assessors: list[Line] = Field(min_length=1, max_length=4)  # hội thẩm nhân dân
    clerk: Line
    prosecutor: Line
    defence_counsel: list[Line] = Field(default_factory=list, max_length=20)
    summoned: list[Line] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _trial_after_indictment(self) -> Self:
        if self.trial_at.date() < self.indictment_date:
            raise _FieldError("trial_at", "must not be before indictment_date")
        return self


class HandoverItem(_Fields):
    """One line of a case-file inventory."""

    description: Line
    record_numbers: Annotated[str, StringConstraints(pattern=r"^\d+(\s*[-–]\s*\d+)?$")]
    pages: Annotated[int, Field(ge=1)]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None


class CaseFileHandoverRecordFields(_Fields):
    """Biên bản giao nhận hồ sơ vụ án.

    Legal basis: CPC art. 133, 232(1), 240; Joint Circular art. 9(1)-(3), 15(1).
    """

    case_name: Line
    case_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{8,80}$")]
    handed_over_at: datetime
    place: Line
    from_agency: Line
    from_representative: Line
    to_agency: Line
    to_representative: Line
    items: list[HandoverItem] = Field(min_length=1, max_length=500)
    evidence_note: Text | None = None  # physical evidence not in the file (JC art. 12)

    @property
    def total_pages(self) -> int:
        return sum(item.pages for item in self.items)


class PublicNotificationFields(_Fields):
    """Thông báo công khai văn bản tố tụng: the content a-f of Joint Circular art. 20(2).

    Legal basis: CPC art. 141; Joint Circular art. 19, 20.
    """

    issuing_agency: Line  # (a)
    person: Person  # (b) full name, year of birth, residence
    document_type_name: Line  # (c)
    document_number: ProceduralNumber
    document_date: date
    document_content: Text
    obligation: Text  # (d) what to do, by when, where
    obligation_deadline: datetime
    obligation_place: Line
    consequences: Text  # (e)
    posted_from: date  # (f)
    posted_until: date

    @model_validator(mode="after")
    def _three_days(self) -> Self:
        # Joint Circular art. 20(1): three consecutive days at least.
        if self.posted_until < self.posted_from + timedelta(days=2):
            raise _FieldError("posted_until", "must be at least the third day of posting")
        return self


class ProceduralDocumentNoticeFields(_Fields):
    """Thông báo văn bản tố tụng. Legal basis: CPC art. 137; Joint Circular art. 9(4)(a)."""

    recipient: Person
    recipient_capacity: PartyRole
    case_name: Line | None = None
    document_type_name: Line
    document_number: ProceduralNumber
    document_date: date
    document_summary: Text
    access_instructions: Text | None = None
    rights_and_obligations: Text | None = None


class RequestedPublication(_Fields):
    """One addressee of a request to publish and what it is asked to do (art. 20(1))."""

    operator: Text
    request: Text


class NotificationRequestFields(_Fields):
    """Văn bản đề nghị đăng tải, phát sóng thông báo: the request to the media, platforms and
    portal that joint circular art. 20(3)(a) files as evidence; the content is art. 20(2).

    Legal basis: CPC art. 141; Joint Circular art. 20(1), 20(2), 20(3)(a).
    """

    channels: list[RequestedPublication] = Field(min_length=1, max_length=10)
    issuing_agency: Text  # (a)
    person_name: Text  # (b)
    person_birth_year: BirthYear
    person_residence: Text
    document_type_name: Text  # (c)
    document_number: Text
    document_date: date
    document_content: Text
    document_code: Line | None = None
    """Electronic code of the notified document in the case file (art. 13(1))."""
    obligation_time: Text  # (d)
    obligation_deadline: Text
    obligation_place: Text
    consequences: Text  # (e)
    posted_from: date  # (f), as planned: an interrupted day is made up afterwards
    posted_until: date

    @model_validator(mode="after")
    def _period_in_order(self) -> Self:
        if self.posted_until < self.posted_from:
            raise _FieldError("posted_until", "must not be before posted_from")
        return self


class _FieldError(ValueError):
    """Raised inside a model validator to blame one named field, not the whole model."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


DocumentFields = (
    DecisionInstituteCaseFields
    | DecisionInstituteAccusedFields
    | SummonsFields
    | StatementRecordFields
    | InvestigationConclusionFields
    | IndictmentFields
    | DecisionBringToTrialFields
    | CaseFileHandoverRecordFields
    | PublicNotificationFields
    | ProceduralDocumentNoticeFields
    | NotificationRequestFields
)


# --------------------------------------------------------------------------- catalog


class DocType(StrEnum):
    """Procedural document types; values are persisted and never renamed."""

    DECISION_INSTITUTE_CASE = "decision_institute_case"
    DECISION_INSTITUTE_ACCUSED = "decision_institute_accused"
    SUMMONS = "summons"
    STATEMENT_RECORD = "statement_record"
    INVESTIGATION_CONCLUSION = "investigation_conclusion"
    INDICTMENT = "indictment"
    DECISION_BRING_TO_TRIAL = "decision_bring_to_trial"
    CASE_FILE_HANDOVER_RECORD = "case_file_handover_record"
    PUBLIC_NOTIFICATION = "public_notification"
    PROCEDURAL_DOCUMENT_NOTICE = "procedural_document_notice"
    NOTIFICATION_REQUEST = "notification_request"


class SignatureSlot(StrEnum):
    """Reserved areas on the rendered page where the signing code places PDF fields.

    ``official``: the visible signature of the issuing person (Joint Circular art. 5(1)).
    ``participant``: the countersignature or other confirmation of a participant (art.
    5(2), 6) or, on a handover record, of the receiving agency's representative.
    """

    OFFICIAL = "official"
    PARTICIPANT = "participant"


@dataclass(frozen=True, slots=True)
class DocTypeSpec:
    """Everything the rest of the system needs to know about one document type."""

    doc_type: DocType
    title: str
    """Vietnamese title as printed, first line in capitals (e.g. "QUYẾT ĐỊNH")."""
    subtitle: str | None
    """Second title line (e.g. "KHỞI TỐ VỤ ÁN HÌNH SỰ"), or None."""
    template: str
    """File name under ``templates/documents/``."""
    fields_model: type[BaseModel]
    type_symbol: str
    """Symbol of the document type in the procedural number ("QĐ", "GTT", "BB" ...)."""
    issuer_roles: frozenset[Role]
    issuer_agencies: frozenset[AgencyKind]
    stages: frozenset[Stage]
    legal_basis: str
    """Articles that govern the document, in the fixed form ``CPC art. 154``."""
    needs_countersignature: bool = False
    """A participant (or the receiving side) must sign or confirm (JC art. 5(2), 6)."""
    countersigner_label: str | None = None
    """Heading printed above the participant's signature area."""
    official_label: str | None = None
    """Heading above the official's area on records (on decisions: the signer's title)."""
    recipient_parties: frozenset[PartyRole] = frozenset()
    """Participants who receive the document by default (CPC art. 137)."""
    recipient_agencies: frozenset[AgencyKind] = frozenset()
    """Agencies that receive the document by default."""
    is_record: bool = False
    """A record (biên bản): place and time in the body, no "Nơi nhận" list."""
    number_includes_year: bool = False
    """Court style numbers: ``45/2026/QĐXXST-HS``."""
    agency_in_symbol: bool = True
    """Whether the issuing agency's symbol follows the type symbol."""

    @property
    def full_title(self) -> str:
        return f"{self.title} {self.subtitle}" if self.subtitle else self.title


_INVESTIGATING = frozenset({AgencyKind.INVESTIGATION_AGENCY})
_OFFICERS = frozenset({Role.INVESTIGATOR, Role.HEAD})
_ACCUSED_SIDE = frozenset({PartyRole.ACCUSED, PartyRole.DEFENCE_COUNSEL})
_PROCEEDING_AGENCIES = frozenset(
    {AgencyKind.INVESTIGATION_AGENCY, AgencyKind.PROCURACY, AgencyKind.COURT}
)
_EVERY_STAGE = frozenset(
    {Stage.INTAKE, Stage.INVESTIGATION, Stage.PROSECUTION, Stage.TRIAL, Stage.ENFORCEMENT}
)
"""Notices (art. 19, 20; CPC art. 137, 141) go out at any stage, by any proceeding agency."""

CATALOG: Mapping[DocType, DocTypeSpec] = {
    spec.doc_type: spec
    for spec in (
        DocTypeSpec(
            doc_type=DocType.DECISION_INSTITUTE_CASE,
            title="QUYẾT ĐỊNH",
            subtitle="KHỞI TỐ VỤ ÁN HÌNH SỰ",
            template="decision_institute_case.html.j2",
            fields_model=DecisionInstituteCaseFields,
            type_symbol="QĐ",
            issuer_roles=frozenset({Role.HEAD, Role.PROSECUTOR, Role.JUDGE}),
            # CPC art. 153: investigation agency, procuracy, trial panel.
            issuer_agencies=frozenset(
                {AgencyKind.INVESTIGATION_AGENCY, AgencyKind.PROCURACY, AgencyKind.COURT}
            ),
            stages=frozenset({Stage.INTAKE, Stage.INVESTIGATION, Stage.TRIAL}),
            legal_basis="CPC art. 143, 153, 154; Joint Circular art. 5(1)",
            # CPC art. 153(4): sent to the procuracy within 24 hours.
            recipient_agencies=frozenset({AgencyKind.PROCURACY}),
        ),
        DocTypeSpec(
            doc_type=DocType.DECISION_INSTITUTE_ACCUSED,
            title="QUYẾT ĐỊNH",
            subtitle="KHỞI TỐ BỊ CAN",
            template="decision_institute_accused.html.j2",
            fields_model=DecisionInstituteAccusedFields,
            type_symbol="QĐ",
            issuer_roles=frozenset({Role.HEAD, Role.PROSECUTOR}),
            issuer_agencies=frozenset({AgencyKind.INVESTIGATION_AGENCY, AgencyKind.PROCURACY}),
            stages=frozenset({Stage.INVESTIGATION, Stage.PROSECUTION}),
            legal_basis="CPC art. 179; Joint Circular art. 5(1)",
            # CPC art. 179(3)-(4): procuracy within 24 hours; delivered to the accused.
            recipient_parties=_ACCUSED_SIDE,
            recipient_agencies=frozenset({AgencyKind.PROCURACY}),
        ),
        DocTypeSpec(
            doc_type=DocType.SUMMONS,
            title="GIẤY TRIỆU TẬP",
            subtitle=None,
            template="summons.html.j2",
            fields_model=SummonsFields,
            type_symbol="GTT",
            issuer_roles=frozenset({Role.INVESTIGATOR, Role.HEAD, Role.PROSECUTOR, Role.JUDGE}),
            issuer_agencies=frozenset(
                {AgencyKind.INVESTIGATION_AGENCY, AgencyKind.PROCURACY, AgencyKind.COURT}
            ),
            stages=frozenset({Stage.INTAKE, Stage.INVESTIGATION, Stage.PROSECUTION, Stage.TRIAL}),
            legal_basis="CPC art. 137, 182, 185, 186, 187; Joint Circular art. 9(4)",
            # The summoned person is named in the fields; their role varies.
            recipient_parties=frozenset(),
        ),
        DocTypeSpec(
            doc_type=DocType.STATEMENT_RECORD,
            title="BIÊN BẢN",
            subtitle="GHI LỜI KHAI",
            template="statement_record.html.j2",
            fields_model=StatementRecordFields,
            type_symbol="BB",
            issuer_roles=frozenset({Role.INVESTIGATOR, Role.PROSECUTOR}),
            issuer_agencies=frozenset({AgencyKind.INVESTIGATION_AGENCY, AgencyKind.PROCURACY}),
            stages=frozenset({Stage.INTAKE, Stage.INVESTIGATION, Stage.PROSECUTION}),
            legal_basis="CPC art. 133, 178, 186-188, 190; Joint Circular art. 5(2), 6",
            needs_countersignature=True,
            countersigner_label="NGƯỜI KHAI",
            official_label="NGƯỜI LẤY LỜI KHAI",
            is_record=True,
        ),
        DocTypeSpec(
            doc_type=DocType.INVESTIGATION_CONCLUSION,
            title="BẢN KẾT LUẬN ĐIỀU TRA",
            subtitle="VỤ ÁN HÌNH SỰ",
            template="investigation_conclusion.html.j2",
            fields_model=InvestigationConclusionFields,
            type_symbol="KLĐT",
            issuer_roles=frozenset({Role.HEAD}),
            issuer_agencies=_INVESTIGATING,
            stages=frozenset({Stage.INVESTIGATION}),
            legal_basis="CPC art. 232, 233; Joint Circular art. 5(1)",
            # CPC art. 232(1): to the procuracy with the file; to the accused and counsel.
            recipient_parties=_ACCUSED_SIDE,
            recipient_agencies=frozenset({AgencyKind.PROCURACY}),
        ),
        DocTypeSpec(
            doc_type=DocType.INDICTMENT,
            title="CÁO TRẠNG",
            subtitle=None,
            template="indictment.html.j2",
            fields_model=IndictmentFields,
            type_symbol="CT",
            issuer_roles=frozenset({Role.PROSECUTOR, Role.HEAD}),
            issuer_agencies=frozenset({AgencyKind.PROCURACY}),
            stages=frozenset({Stage.PROSECUTION}),
            legal_basis="CPC art. 243; Joint Circular art. 5(1)",
            # CPC art. 240: delivered to the accused and counsel; filed with the court.
            recipient_parties=_ACCUSED_SIDE,
            recipient_agencies=frozenset({AgencyKind.COURT}),
        ),
        DocTypeSpec(
            doc_type=DocType.DECISION_BRING_TO_TRIAL,
            title="QUYẾT ĐỊNH",
            subtitle="ĐƯA VỤ ÁN RA XÉT XỬ",
            template="decision_bring_to_trial.html.j2",
            fields_model=DecisionBringToTrialFields,
            type_symbol="QĐXXST-HS",
            issuer_roles=frozenset({Role.JUDGE}),
            issuer_agencies=frozenset({AgencyKind.COURT}),
            stages=frozenset({Stage.TRIAL}),
            legal_basis="CPC art. 254, 255, 286; Joint Circular art. 5(1)",
            # CPC art. 286: procuracy, defendants, counsel, victims and other participants.
            recipient_parties=frozenset(
                {
                    PartyRole.DEFENDANT,
                    PartyRole.DEFENCE_COUNSEL,
                    PartyRole.VICTIM,
                    PartyRole.CIVIL_PLAINTIFF,
                    PartyRole.CIVIL_DEFENDANT,
                    PartyRole.RELATED_PERSON,
                    PartyRole.LEGAL_REPRESENTATIVE,
                }
            ),
            recipient_agencies=frozenset({AgencyKind.PROCURACY}),
            number_includes_year=True,
            agency_in_symbol=False,
        ),
        DocTypeSpec(
            doc_type=DocType.CASE_FILE_HANDOVER_RECORD,
            title="BIÊN BẢN",
            subtitle="GIAO NHẬN HỒ SƠ VỤ ÁN",
            template="case_file_handover_record.html.j2",
            fields_model=CaseFileHandoverRecordFields,
            type_symbol="BB",
            issuer_roles=frozenset(
                {Role.INVESTIGATOR, Role.HEAD, Role.PROSECUTOR, Role.JUDGE, Role.CLERK}
            ),
            issuer_agencies=frozenset(
                {
                    AgencyKind.GRASSROOTS_POLICE,
                    AgencyKind.POLICE_POST,
                    AgencyKind.INVESTIGATION_AGENCY,
                    AgencyKind.PROCURACY,
                    AgencyKind.COURT,
                }
            ),
            stages=frozenset({Stage.INTAKE, Stage.INVESTIGATION, Stage.PROSECUTION, Stage.TRIAL}),
            legal_basis="CPC art. 133, 232, 240; Joint Circular art. 9(1)-(3), 15(1)",
            needs_countersignature=True,
            countersigner_label="ĐẠI DIỆN BÊN NHẬN",
            official_label="ĐẠI DIỆN BÊN GIAO",
            is_record=True,
        ),
        DocTypeSpec(
            doc_type=DocType.PUBLIC_NOTIFICATION,
            title="THÔNG BÁO",
            subtitle="CÔNG KHAI VĂN BẢN TỐ TỤNG",
            template="public_notification.html.j2",
            fields_model=PublicNotificationFields,
            type_symbol="TB",
            issuer_roles=frozenset({Role.HEAD, Role.PROSECUTOR, Role.JUDGE}),
            issuer_agencies=_PROCEEDING_AGENCIES,
            stages=_EVERY_STAGE,
            legal_basis="CPC art. 141; Joint Circular art. 19, 20(2)",
        ),
        DocTypeSpec(
            doc_type=DocType.PROCEDURAL_DOCUMENT_NOTICE,
            title="THÔNG BÁO",
            subtitle="VĂN BẢN TỐ TỤNG",
            template="procedural_document_notice.html.j2",
            fields_model=ProceduralDocumentNoticeFields,
            type_symbol="TB",
            issuer_roles=frozenset(
                {Role.INVESTIGATOR, Role.HEAD, Role.PROSECUTOR, Role.JUDGE, Role.CLERK}
            ),
            issuer_agencies=_PROCEEDING_AGENCIES,
            stages=_EVERY_STAGE,
            legal_basis="CPC art. 137, 141; Joint Circular art. 9(4)(a)",
        ),
        DocTypeSpec(
            doc_type=DocType.NOTIFICATION_REQUEST,
            title="VĂN BẢN ĐỀ NGHỊ",
            subtitle="ĐĂNG TẢI, PHÁT SÓNG THÔNG BÁO VĂN BẢN TỐ TỤNG",
            template="notification_request.html.j2",
            fields_model=NotificationRequestFields,
            type_symbol="CV",
            # whoever may start a public notification of the case's documents
            issuer_roles=frozenset(
                {Role.INVESTIGATOR, Role.HEAD, Role.PROSECUTOR, Role.JUDGE, Role.CLERK}
            ),
            issuer_agencies=_PROCEEDING_AGENCIES,
            stages=_EVERY_STAGE,
            legal_basis="CPC art. 141; Joint Circular art. 20(1), 20(3)(a)",
        ),
    )
}


def get_spec(doc_type: DocType | str) -> DocTypeSpec:
    """Return the catalog entry of ``doc_type``; an unknown type names the field."""
    try:
        return CATALOG[DocType(doc_type)]
    except ValueError:
        raise InvalidDocumentField("doc_type", f"unknown document type {doc_type!r}") from None


# Default agency symbols in procedural numbers; a real agency may override its own
# (e.g. "CSĐT" for the police investigation agency, "VKS-P2" for a procuracy division).
_AGENCY_SYMBOLS: Mapping[AgencyKind, str] = {
    AgencyKind.GRASSROOTS_POLICE: "CAX",
    AgencyKind.POLICE_POST: "ĐCA",
    AgencyKind.INVESTIGATION_AGENCY: "CSĐT",
    AgencyKind.PROCURACY: "VKS",
    AgencyKind.COURT: "TA",
    AgencyKind.DETENTION_FACILITY: "TTG",
    AgencyKind.ENFORCEMENT_AGENCY: "THA",
    AgencyKind.APPRAISAL_ORGANIZATION: "GĐ",
}


def procedural_symbol(
    doc_type: DocType | str, agency_kind: AgencyKind, agency_symbol: str | None = None
) -> str:
    """Return the symbol part of a procedural number, e.g. ``QĐ-CSĐT`` or ``QĐXXST-HS``.

    The symbol is the type's abbreviation followed by the issuing agency's
    (``agency_symbol`` when the agency has its own, else a default per kind); court
    decisions carry the case category instead of the agency.
    """
    spec = get_spec(doc_type)
    if not spec.agency_in_symbol:
        return spec.type_symbol
    suffix = unicodedata.normalize("NFC", agency_symbol or _AGENCY_SYMBOLS[agency_kind])
    return f"{spec.type_symbol}-{suffix}"


def format_procedural_number(
    number: int,
    doc_type: DocType | str,
    agency_kind: AgencyKind,
    *,
    year: int,
    agency_symbol: str | None = None,
) -> str:
    """Return the number printed after "Số:", e.g. ``12/QĐ-CSĐT`` or ``45/2026/QĐXXST-HS``."""
    if number < 1:
        raise InvalidDocumentField("number", "must be a positive integer")
    spec = get_spec(doc_type)
    symbol = procedural_symbol(spec.doc_type, agency_kind, agency_symbol)
    if spec.number_includes_year:
        return f"{number}/{year}/{symbol}"
    return f"{number}/{symbol}"


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "__root__"


def validate_fields(doc_type: DocType | str, data: Mapping[str, Any] | BaseModel) -> BaseModel:
    """Validate ``data`` against the field model of ``doc_type`` and return the model.

    Strings are normalized to NFC first. Raises :class:`InvalidDocumentField` naming the
    first missing or malformed field (dotted path for nested fields).
    """
    spec = get_spec(doc_type)
    if isinstance(data, spec.fields_model):
        return data
    if isinstance(data, BaseModel):
        data = data.model_dump()
    if not isinstance(data, Mapping):
        raise InvalidDocumentField("fields", "must be an object")
    try:
        return spec.fields_model.model_validate(nfc(data))
    except ValidationError as exc:
        found: list[tuple[str, str]] = []
        for err in exc.errors():
            cause = (err.get("ctx") or {}).get("error")
            if isinstance(cause, _FieldError):
                # A cross-field check: blame the named field, under the model's path.
                found.append((_loc((*err["loc"], cause.field)), cause.message))
            elif err["type"] == "missing":
                found.append((_loc(err["loc"]), "required field is missing"))
            else:
                found.append((_loc(err["loc"]), err["msg"]))
        field, message = found[0]
        raise InvalidDocumentField(field, message, errors=tuple(found)) from None
