"""Arguments and results of the case-file transfer processes (Pydantic, frozen): the sender's
TransferCaseFile and the receiver's ReceiveCaseFile. Payloads carry codes and small facts;
document bytes travel between installations over the agency link, never through Temporal."""

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from casefile.transfers import Finding, PhysicalItem, TransferKind

__all__ = [
    "TransferPolicy",
    "TransferInput",
    "TransferStepArgs",
    "PreparedTransfer",
    "SealedInventory",
    "SentTransfer",
    "ReceiverDecision",
    "TransferOutcome",
    "TransferStatus",
    "ReceiveInput",
    "LegalityReport",
    "DecisionRequest",
    "DecideArgs",
    "WarnArgs",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class TransferPolicy(_Frozen):
    """Durations of a transfer (from the input, never constants in the workflows)."""

    confirmation_limit: timedelta = timedelta(days=3)
    """Unconfirmed after this long: both agencies' supervisors are warned (art. 17(2)(e))."""
    send_limit: timedelta = timedelta(days=3)
    """How long the sender keeps retrying an unreachable receiver before giving up."""


class TransferInput(_Frozen):
    transfer_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
    actor_id: int
    case_code: str
    kind: TransferKind
    to_agency_code: str
    physical_items: list[PhysicalItem] = []
    note: str = ""
    policy: TransferPolicy = TransferPolicy()


class TransferStepArgs(_Frozen):
    workflow_id: str
    request: TransferInput
    at: datetime


class PreparedTransfer(_Frozen):
    handover_fields: dict[str, Any]
    """Fields of the handover record (casefile.doctypes.CaseFileHandoverRecordFields)."""


class SealedInventory(_Frozen):
    inventory_sha256: str
    documents: int
    last_record: int


class SentTransfer(_Frozen):
    received_at: datetime
    blobs_sent: int
    """Documents' bytes sent by this attempt (a resumed transfer sends only what is missing)."""


class ReceiverDecision(_Frozen):
    """The receiver's signed decision, as it arrives at the sender."""

    payload: dict[str, Any]
    signature: str


class TransferOutcome(_Frozen):
    transfer_id: str
    state: str
    reasons: str | None = None


class TransferStatus(_Frozen):
    transfer_id: str
    state: str
    step: str
    warned: bool = False
    reasons: str | None = None
    error: str | None = None


class ReceiveInput(_Frozen):
    transfer_id: str
    case_code: str
    to_agency_code: str
    policy: TransferPolicy = TransferPolicy()


class LegalityReport(_Frozen):
    passed: bool
    findings: list[Finding]
    documents_checked: int
    signatures_checked: int


class DecisionRequest(_Frozen):
    """A person of the receiving agency accepts the file or returns it with reasons."""

    actor_id: int
    decision: Literal["accept", "return"]
    reasons: str = Field(default="", max_length=4000)


class DecideArgs(_Frozen):
    transfer_id: str
    request: DecisionRequest
    at: datetime


class WarnArgs(_Frozen):
    transfer_id: str
    direction: Literal["outgoing", "incoming"]
    at: datetime
