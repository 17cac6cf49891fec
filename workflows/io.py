"""Arguments and results of every workflow and activity: frozen Pydantic v2 models.

Payloads carry identifiers and small facts, never document bytes (they travel as SHA-256).
This module must never import SQLAlchemy: it is loaded inside the workflow sandbox.
"""

from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from casefile.codes import Stage
from casefile.delivery import DeliveryPolicy, RecipientFacts, RecipientStatus, Route
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
    "AuthorizedDraft",
    "CountersignRequest",
    "ConfirmationRequest",
    "ParticipantStepArgs",
    "ParticipantConfirmed",
    "RecordRecipientsArgs",
    "DeliveryRecipientsArgs",
    "DeliveryRecipient",
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
    "DeliveryPolicy",
    "RecipientFacts",
    "DeliveryNotification",
    "DeliverDocumentInput",
    "DeliveryStepArgs",
    "SendElectronicArgs",
    "ElectronicAccepted",
    "PreparePaperArgs",
    "PaperPrepared",
    "PlatformReceipt",
    "PaperReceipt",
    "RecipientNotFound",
    "Refusal",
    "RecordPaperOutcomeArgs",
    "PaperOutcomeRecorded",
    "PostPubliclyArgs",
    "PostingRecorded",
    "RecipientContacted",
    "DeliveryStep",
    "DeliveryStatus",
    "DeliverDocumentResult",
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
    deliver: bool = True
    """Start one DeliverDocument per recipient once the document is filed (and confirmed
    where it needs it); False: it is delivered by hand, or later through the API."""
    delivery_policy: DeliveryPolicy = DeliveryPolicy()
    task_queue: str | None = None
    """The instance's task queue, which names its delivery processes (their workflow ids are
    per instance); None: the queue this run is on. Set it: a replay runs on another queue."""


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
    recipients: list[str] | None = None
    """Party codes recorded for delivery in the same step (documents that need no
    participant's confirmation); None when a later step records them."""


class AuthorizedDraft(_Frozen):
    """Authority checked and the draft rendered, in one step."""

    context: IssueContext
    draft: RenderedDraft


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


class DeliveryRecipientsArgs(_Frozen):
    case_code: str
    party_codes: list[str]


class DeliveryRecipient(_Frozen):
    """A recipient to start a delivery for, with the facts its route is chosen by."""

    party_code: str
    recipient: RecipientFacts


class ConfirmationOverdueArgs(_Frozen):
    workflow_id: str
    document_code: str


class IssueStatus(_Frozen):
    step: str
    document_code: str | None = None
    procedural_number: str | None = None
    confirmed_by: str | None = None
    error: str | None = None
    deliveries: list[str] = []
    """Workflow ids of the deliveries started (or found started) after issuing."""


class IssueDocumentResult(_Frozen):
    document_code: str
    procedural_number: str
    status: str
    """``filed``, or ``awaiting_confirmation`` when the participant did not confirm in time."""
    recipients: list[str]
    confirmed_by: str | None = None
    deliveries: list[str] = []
    """Workflow ids of the recipients' DeliverDocument processes (one per recipient)."""


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
    request_document_code: str | None = None
    """The filed request to publish (art. 20(3)(a)); None before it is filed, and for runs
    prepared before the request document was filed."""


class PublicNotificationResult(_Frozen):
    channels: list[ChannelState]
    concluded_at: datetime
    request_document_code: str | None = None


# --- DeliverDocument -----------------------------------------------------------------------


class DeliveryNotification(_Frozen):
    """What the public notification says if posting yields no result (art. 19(1), 20(2))."""

    forms: list[Form]
    content: dict[str, Any]
    """Fields a-e of art. 20(2), as for :class:`PublicNotificationInput`."""
    account: str | None = None
    national_id: str | None = None


class DeliverDocumentInput(_Frozen):
    """Deliver one document to one recipient along the chain of art. 9(4)."""

    request_id: str
    actor_id: int
    """The officer on whose behalf the process runs (converts, posts, is logged)."""
    case_code: str
    document_code: str
    party_code: str
    recipient: RecipientFacts
    policy: DeliveryPolicy = DeliveryPolicy()
    notification: DeliveryNotification | None = None
    """None: a posting without result ends as ``posting_without_result``."""
    task_queue: str | None = None
    """The instance's task queue, which names the public notification it may start; None: the
    queue this run is on (the same at run time, but not when a history is replayed)."""


class DeliveryStepArgs(_Frozen):
    """Record one step: its audit event, the recipient's status, the task it closes."""

    workflow_id: str
    request: DeliverDocumentInput
    step: str
    """Unique within the process: the step's idempotency key."""
    route: Route
    ground: str
    at: datetime
    status: RecipientStatus | None = None
    details: dict[str, Any] = {}
    close_task: str | None = None
    """Kind of the officer's task this step closes (``posting``)."""
    outcome: str | None = None


class SendElectronicArgs(_Frozen):
    workflow_id: str
    request: DeliverDocumentInput
    idempotency_key: str


class ElectronicAccepted(_Frozen):
    delivery_id: str
    accepted_at: datetime
    url: str = ""


class PreparePaperArgs(_Frozen):
    workflow_id: str
    request: DeliverDocumentInput
    ground: str
    """Why the document goes on paper (art. 9(4)(b))."""
    converted_at: datetime
    due_at: datetime


class PaperPrepared(_Frozen):
    certificate_document_code: str
    certificate_sha256: str
    task_id: int
    via: str
    """``direct`` or ``detention_facility``."""


class PlatformReceipt(_Frozen):
    """Signal from hoso's webhook: the platform reports what became of the delivery."""

    kind: Literal["delivered", "opened", "confirmed"]
    at: datetime
    idempotency_key: str | None = None
    """``<workflow id>:electronic``: the key of our platform call, echoed by the webhook."""
    delivery_id: str | None = None
    event_id: str | None = None


class PaperReceipt(_Frozen):
    """Update: the recipient signed the paper receipt (CPC art. 137)."""

    signed_at: datetime
    received_by: str = Field(min_length=1, max_length=255)
    scan_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """The scanned receipt, already in the blob store; filed into the case."""
    actor_id: int | None = None
    """The officer reporting it; None: the process's officer."""


class RecipientNotFound(_Frozen):
    """Update: the recipient was not found at the address (the chain moves to posting)."""

    note: str = Field(default="", max_length=2000)
    actor_id: int | None = None


class Refusal(_Frozen):
    """Update: the recipient refused the document; the refusal is recorded (CPC art. 137)."""

    reason: str = Field(min_length=1, max_length=2000)
    at: datetime | None = None
    actor_id: int | None = None


class RecordPaperOutcomeArgs(_Frozen):
    workflow_id: str
    request: DeliverDocumentInput
    outcome: Literal["received", "refused", "not_found"]
    recorded_at: datetime
    receipt: PaperReceipt | None = None
    refusal: Refusal | None = None
    not_found: RecipientNotFound | None = None


class PaperOutcomeRecorded(_Frozen):
    outcome: str
    scan_document_code: str | None = None


class PostPubliclyArgs(_Frozen):
    workflow_id: str
    request: DeliverDocumentInput
    ground: str
    posted_at: datetime
    ends_at: datetime


class PostingRecorded(_Frozen):
    posting_record_document_code: str
    posting_record_sha256: str
    certificate_document_code: str
    task_id: int
    ends_at: datetime


class RecipientContacted(_Frozen):
    """Signal: the recipient came forward during the posting period."""

    at: datetime
    note: str = Field(default="", max_length=2000)


class DeliveryStep(_Frozen):
    """One entry of the delivery's history, with its legal ground."""

    at: datetime
    step: str
    route: Route
    ground: str
    status: RecipientStatus | None = None
    detail: str = ""


class DeliveryStatus(_Frozen):
    route: Route
    status: RecipientStatus
    awaiting: str | None = None
    """``electronic_acceptance``, ``platform_receipt``, ``paper_receipt``, ``posting_period``,
    ``public_notification`` or None."""
    steps: list[DeliveryStep]
    electronic_idempotency_key: str | None = None
    delivery_id: str | None = None
    paper_copy_document_code: str | None = None
    posting_record_document_code: str | None = None
    posting_ends_at: datetime | None = None
    notification_workflow_id: str | None = None
    error: str | None = None


class DeliverDocumentResult(_Frozen):
    status: RecipientStatus
    route: Route
    steps: list[DeliveryStep]
