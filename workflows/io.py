"""Arguments and results of every workflow and activity: frozen Pydantic v2 models.

Payloads carry identifiers and small facts, never document bytes (they travel as SHA-256).
This module must never import SQLAlchemy: it is loaded inside the workflow sandbox.
"""

from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from casefile.codes import Stage
from casefile.inputs import NewCase
from casefile.legaltime import LegalCalendar
from casefile.notification import Channel, Form

__all__ = [
    "OpenCaseInput",
    "OpenCaseResult",
    "CreateCaseArgs",
    "IssuancePolicy",
    "IssueDocumentInput",
    "IssueStepArgs",
    "IssueContext",
    "PdfBox",
    "RenderedDraft",
    "RenderDraftArgs",
    "SignOfficialArgs",
    "SignedDraft",
    "RegisterDocumentArgs",
    "RegisteredDocument",
    "CountersignRequest",
    "ConfirmationRequest",
    "ParticipantStepArgs",
    "ParticipantConfirmed",
    "RecordRecipientsArgs",
    "ConfirmationOverdueArgs",
    "IssueStatus",
    "IssueDocumentResult",
    "PublicNotificationInput",
    "PrepareNotificationArgs",
    "PreparedNotification",
    "PublishArgs",
    "PublishedEvidence",
    "RecordInterruptionArgs",
    "AccessConfirmed",
    "ChannelState",
    "NotificationStatus",
    "PublicNotificationResult",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OpenCaseInput(_Frozen):
    request_id: str
    """Idempotency key: the same request never opens two cases."""
    actor_id: int
    case: NewCase


class OpenCaseResult(_Frozen):
    code: str
    stage: Stage
    agency_code: str


class CreateCaseArgs(_Frozen):
    request: OpenCaseInput
    opened_at: datetime
    """Workflow time of the request, so a retried activity assigns the same year."""


# --- IssueDocument -------------------------------------------------------------------------


class IssuancePolicy(_Frozen):
    """Durations of the issuing process (from the input, never constants in the workflow)."""

    confirmation_timeout: timedelta = timedelta(days=3)
    """How long to wait for the participant's countersignature or confirmation."""


class IssueDocumentInput(_Frozen):
    request_id: str
    actor_id: int
    case_code: str
    doc_type: str
    fields: dict[str, Any]
    recipients: list[str] = []
    """Party codes; empty means the parties the document type names."""
    level: Literal["B-T", "B-LTA"] = "B-T"
    policy: IssuancePolicy = IssuancePolicy()


class IssueStepArgs(_Frozen):
    workflow_id: str
    request: IssueDocumentInput
    issued_at: datetime


class PdfBox(_Frozen):
    page: int
    x1: float
    y1: float
    x2: float
    y2: float


class IssueContext(_Frozen):
    """Facts the later steps need, read once when authority is checked."""

    signing_key: str
    signer_name: str
    signer_title: str
    agency_name: str
    agency_code: str
    place: str
    needs_confirmation: bool
    document_title: str


class RenderedDraft(_Frozen):
    sha256: str
    page_count: int
    official_box: PdfBox
    participant_box: PdfBox | None


class RenderDraftArgs(_Frozen):
    step: IssueStepArgs
    context: IssueContext


class SignOfficialArgs(_Frozen):
    step: IssueStepArgs
    context: IssueContext
    draft: RenderedDraft


class SignedDraft(_Frozen):
    sha256: str
    page_count: int


class RegisterDocumentArgs(_Frozen):
    step: IssueStepArgs
    context: IssueContext
    signed: SignedDraft


class RegisteredDocument(_Frozen):
    document_code: str
    procedural_number: str
    first_record: int
    last_record: int
    sha256: str
    needs_confirmation: bool


class CountersignRequest(_Frozen):
    """A participant's countersigned PDF, already in the blob store."""

    party_code: str
    pdf_sha256: str


class ConfirmationRequest(_Frozen):
    """A sealed confirmation by an alternative form, already stored."""

    party_code: str
    confirmation_id: int


class ParticipantStepArgs(_Frozen):
    workflow_id: str
    document_code: str
    countersign: CountersignRequest | None = None
    confirmation: ConfirmationRequest | None = None


class ParticipantConfirmed(_Frozen):
    party_code: str
    form: str
    """``public_certificate`` or the alternative form (``otp``, ``signature_image``, ...)."""
    document_sha256: str


class RecordRecipientsArgs(_Frozen):
    step: IssueStepArgs
    document_code: str


class ConfirmationOverdueArgs(_Frozen):
    workflow_id: str
    document_code: str


class IssueStatus(_Frozen):
    step: str
    document_code: str | None = None
    procedural_number: str | None = None
    confirmed_by: str | None = None
    error: str | None = None


class IssueDocumentResult(_Frozen):
    document_code: str
    procedural_number: str
    status: str
    """``filed``, or ``awaiting_confirmation`` when the participant did not confirm in time."""
    recipients: list[str]
    confirmed_by: str | None = None


# --- PublicNotification --------------------------------------------------------------------


class PublicNotificationInput(_Frozen):
    """Art. 20 notification of one document to one person, on the channels chosen."""

    request_id: str
    actor_id: int
    case_code: str
    document_code: str
    party_code: str
    forms: list[Form]
    content: dict[str, Any]
    """Fields a-e of art. 20(2); validated before anything is published."""
    calendar: LegalCalendar = LegalCalendar()
    account: str | None = None
    """The person's electronic account, for channel (b)."""
    national_id: str | None = None
    """The person's national ID, by which the NDC common application finds them (c)."""


class PrepareNotificationArgs(_Frozen):
    workflow_id: str
    request: PublicNotificationInput
    started_at: datetime


class PreparedNotification(_Frozen):
    channels: list[Channel]
    request_document_code: str | None = None
    """The filed request to publish (art. 20(3)(a))."""


class PublishArgs(_Frozen):
    workflow_id: str
    request: PublicNotificationInput
    channel: Channel
    day: date
    sequence: int
    """1, 2 or 3: which of the required publications this is."""
    planned_conclusion: datetime
    """Art. 20(2)(f): the notice states when the notification concludes."""


class PublishedEvidence(_Frozen):
    """What the platform returned: the evidence of art. 20(3)(b)."""

    channel: Channel
    day: date
    published_at: datetime
    reference: str
    """Issue number, broadcast slot, notice or delivery id."""
    link: str
    evidence_sha256: str
    evidence_document_code: str | None = None


class RecordInterruptionArgs(_Frozen):
    workflow_id: str
    request: PublicNotificationInput
    channel: Channel
    day: date
    reason: str


class AccessConfirmed(_Frozen):
    """Signal: the platform says the document reached the account and can be opened, or the
    person confirmed it (art. 20(1)(e), second paragraph)."""

    channel: Channel
    at: datetime
    kind: Literal["accessible", "confirmed"] = "accessible"


class ChannelState(_Frozen):
    channel: Channel
    publications: int
    interrupted_days: list[date]
    concluded_at: datetime | None
    rejected: str | None = None
    """The platform's definitive refusal, if any: the channel is abandoned and recorded."""


class NotificationStatus(_Frozen):
    channels: list[ChannelState]
    concluded_at: datetime | None
    error: str | None = None


class PublicNotificationResult(_Frozen):
    channels: list[ChannelState]
    concluded_at: datetime
