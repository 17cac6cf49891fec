"""The status outbox: status changes waiting to be published to the common database.

Legal basis: Joint Circular art. 18(4). A row holds identifiers, a status and times only.
"""

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casefile.models.base import Base, UtcDateTime

__all__ = ["StatusOutboxEntry"]


class StatusOutboxEntry(Base):
    """One status change, written in the transaction that made it, sent later by the relay."""

    __tablename__ = "status_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    """The idempotency key the common database deduplicates on."""
    agency_code: Mapped[str] = mapped_column(String(12))
    """The publishing agency (this hoso instance's agency)."""
    case_code: Mapped[str] = mapped_column(String(40), index=True)
    subject_code: Mapped[str | None] = mapped_column(String(60), default=None)
    """A document code when the change is about one document, else None."""
    party_code: Mapped[str | None] = mapped_column(String(60), default=None)
    """The recipient's party code when the change is about one delivery, else None."""
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    counterpart_agency_code: Mapped[str | None] = mapped_column(String(12), default=None)
    """The other agency of a transfer or of a change of the owning agency."""
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None, index=True)
