"""Response shapes of the REST API (inputs are casefile.inputs models)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from casefile.codes import DocumentForm, DocumentStatus, PartyRole, SecrecyLevel, Stage
from casefile.inputs import NewCase, NewParty

__all__ = [
    "CaseCreate",
    "PartyCreate",
    "StageChange",
    "CasePublic",
    "CaseDetail",
    "CasesPublic",
    "CaseOpening",
    "PartyPublic",
    "InventoryEntry",
    "InventoryPublic",
    "ErrorBody",
    "DocumentIssue",
    "DocumentPublic",
    "DocumentIssuing",
    "SignaturePublic",
    "RecipientPublic",
    "ConfirmationPublic",
    "ParticipantConfirmationPublic",
    "OtpChallengeCreate",
    "OtpChallengePublic",
    "OtpAnswer",
    "FingerprintRecord",
    "ConfirmationSubmit",
    "AccessCountsPublic",
    "StandingPublic",
    "ParticipantDocumentPublic",
    "ParticipantCasePublic",
    "CounselLinkCreate",
    "CounselLinkPublic",
    "DocumentShareCreate",
    "DocumentSharePublic",
    "ParticipantAccessRow",
    "ParticipantAccessPublic",
]

CaseCreate = NewCase
PartyCreate = NewParty


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class StageChange(BaseModel):
    target: Stage
    reason: str = Field(min_length=3, max_length=2000)


class CasePublic(_Out):
    code: str
    title: str
    offence: str
    stage: Stage
    secrecy: SecrecyLevel
    agency_code: str
    opened_at: datetime


class PartyPublic(_Out):
    code: str
    role: PartyRole
    full_name: str
    birth_year: int | None
    residence: str
    national_id: str | None
    e_account: str | None
    detained: bool
    whereabouts_known: bool


class CaseDetail(CasePublic):
    summary: str
    parties: list[PartyPublic]


class CasesPublic(BaseModel):
    items: list[CasePublic]
    total: int
    limit: int
    offset: int


class CaseOpening(BaseModel):
    """Answer to POST /cases while the OpenCase workflow is still running (202)."""

    workflow_id: str
    status: str


class InventoryEntry(_Out):
    number: int
    code: str
    doc_type: str
    title: str
    form: DocumentForm
    status: DocumentStatus
    procedural_number: str | None
    first_record: int
    last_record: int
    page_count: int
    sha256: str
    size: int
    created_at: datetime


class InventoryPublic(BaseModel):
    case_code: str
    stage: Stage
    record_count: int
    documents: list[InventoryEntry]


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None


class ErrorBody(BaseModel):
    error: ErrorDetail


class DocumentIssue(BaseModel):
    """Request to issue a procedural document (the fields are the document type's schema)."""

    doc_type: str = Field(min_length=1, max_length=64)
    fields: dict[str, Any]
    recipients: list[str] = Field(default_factory=list, max_length=50)
    """Party codes; empty means the parties the document type names."""
    deliver: bool = True
    """Deliver to each recipient once filed (art. 9(4)); false for a document delivered by
    hand, or later through ``POST /documents/{code}/deliveries``."""
    level: Literal["B-T", "B-LTA"] = "B-T"


class SignaturePublic(_Out):
    kind: str
    field_name: str
    signer_name: str
    level: str
    signed_at: datetime
    revision_sha256: str


class RecipientPublic(BaseModel):
    party_code: str
    full_name: str
    status: str


class ConfirmationPublic(BaseModel):
    party_code: str
    form: str
    confirmed_at: datetime
    pdf_sha256: str


class DocumentPublic(_Out):
    code: str
    case_code: str
    doc_type: str
    title: str
    form: DocumentForm
    status: DocumentStatus
    procedural_number: str | None
    first_record: int
    last_record: int
    page_count: int
    sha256: str
    size: int
    registered_at: datetime | None
    workflow_id: str | None
    signatures: list[SignaturePublic] = []
    recipients: list[RecipientPublic] = []
    confirmations: list[ConfirmationPublic] = []


class DocumentIssuing(BaseModel):
    """Answer to POST /cases/{code}/documents when the process has not filed it yet (202)."""

    workflow_id: str
    step: str


class ParticipantConfirmationPublic(BaseModel):
    party_code: str
    form: str
    document_sha256: str


class OtpChallengeCreate(BaseModel):
    party_code: str = Field(min_length=5, max_length=60)
    channel: Literal["vneid", "sms", "email"] = "vneid"


class OtpChallengePublic(BaseModel):
    challenge_id: str
    channel: str
    expires_at: datetime
    attempts_left: int
    pdf_sha256: str
    """The document version the code confirms."""


class OtpAnswer(BaseModel):
    challenge_id: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=12)


class FingerprintRecord(BaseModel):
    device_model: str
    device_serial: str
    finger: str
    template_sha256: str
    match_score: float
    threshold: float


class ConfirmationSubmit(BaseModel):
    """A participant's confirmation by an alternative form (Joint Circular art. 6, 7(6))."""

    party_code: str = Field(min_length=5, max_length=60)
    form: Literal["otp", "signature_image", "fingerprint"]
    shown_pdf_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """SHA-256 of the exact PDF displayed to the participant before confirming."""
    device: str = Field(min_length=1, max_length=200)
    user_agent: str = Field(default="", max_length=500)
    otp: OtpAnswer | None = None
    signature_image_png: str | None = Field(default=None, max_length=2_000_000)
    """Base64 of the PNG drawn on screen."""
    fingerprint: FingerprintRecord | None = None


# --- participants read and copy documents of the file (Joint Circular art. 15(2)) -------


class AccessCountsPublic(BaseModel):
    """How many times the account viewed, copied and downloaded the document (from the log)."""

    views: int
    copies: int
    downloads: int


class StandingPublic(BaseModel):
    """Why the account may read: it is the party, or counsel linked to the party."""

    party_code: str
    party_role: PartyRole
    capacity: Literal["party", "defence_counsel", "legal_representative"]
    capacity_label: str
    """As printed on copies, e.g. "người bào chữa của bị can Đặng Quốc Khánh"."""


class ParticipantDocumentPublic(BaseModel):
    code: str
    case_code: str
    doc_type: str
    title: str
    procedural_number: str | None
    first_record: int
    last_record: int
    page_count: int
    sha256: str
    size: int
    registered_at: datetime | None
    through: StandingPublic
    my_access: AccessCountsPublic


class ParticipantCasePublic(BaseModel):
    code: str
    agency_code: str
    agency_name: str
    stage: Stage
    standings: list[StandingPublic]
    documents: list[ParticipantDocumentPublic]


class CounselLinkCreate(BaseModel):
    national_id: str = Field(pattern=r"^[0-9]{12}$")
    """The counsel's national ID: their participant's account carries it."""
    capacity: Literal["defence_counsel", "legal_representative"] = "defence_counsel"


class CounselLinkPublic(BaseModel):
    id: int
    party_code: str
    counsel_username: str
    counsel_full_name: str
    capacity: str
    active: bool
    linked_at: datetime
    linked_by: str
    unlinked_at: datetime | None
    unlinked_by: str | None


class DocumentShareCreate(BaseModel):
    party_code: str = Field(min_length=5, max_length=60)


class DocumentSharePublic(BaseModel):
    document_code: str
    party_code: str
    party_full_name: str
    active: bool
    shared_at: datetime
    shared_by: str
    unshared_at: datetime | None
    unshared_by: str | None


class ParticipantAccessRow(BaseModel):
    object_code: str
    """The document (or, for a refusal, the code asked for)."""
    username: str
    full_name: str
    kind: str
    """``view``, ``copy``, ``download``, or ``refused``."""
    count: int
    last_at: datetime


class ParticipantAccessPublic(BaseModel):
    """The statistics of art. 15(2) for a case: per document, per account, per kind."""

    case_code: str
    counts: list[ParticipantAccessRow]
    refused: list[ParticipantAccessRow]
