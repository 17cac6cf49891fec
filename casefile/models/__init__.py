"""ORM models of the case-file database (SQLAlchemy 2, typed)."""

from casefile.models.agency import Agency, User
from casefile.models.audit import AuditEvent, AuditHead
from casefile.models.base import Base
from casefile.models.case import Case, Party
from casefile.models.counter import Counter
from casefile.models.delivery import DeliveryTask
from casefile.models.document import Document
from casefile.models.issuance import (
    DocumentConfirmation,
    DocumentRecipient,
    DocumentSignature,
    OtpChallengeRow,
    OutboxMessage,
    PlatformEvent,
    StepResult,
)
from casefile.models.participant_access import CounselLink, DocumentShare
from casefile.models.status import StatusOutboxEntry
from casefile.models.transfer import Transfer, TransferBlob

__all__ = [
    "Agency",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Case",
    "Counter",
    "CounselLink",
    "DeliveryTask",
    "Document",
    "DocumentConfirmation",
    "DocumentRecipient",
    "DocumentShare",
    "DocumentSignature",
    "OtpChallengeRow",
    "OutboxMessage",
    "Party",
    "PlatformEvent",
    "StatusOutboxEntry",
    "Transfer",
    "TransferBlob",
    "StepResult",
    "User",
]
