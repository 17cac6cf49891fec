"""The append-only, hash-chained audit log (Joint Circular art. 4(4), 14(2), 17(1)(đ))."""

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casefile.models.base import Base, UtcDateTime

__all__ = ["AuditEvent", "AuditHead"]


class AuditEvent(Base):
    """One event; ``hash`` covers its fields and ``prev_hash`` (the hash of event seq-1)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(12))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_code: Mapped[str] = mapped_column(String(80), index=True)
    details: Mapped[str] = mapped_column(Text)
    """Canonical JSON (sorted keys, UTF-8), stored as text so the hash can be recomputed."""
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The single row naming the last event: appends lock it, so the chain never forks,
    and a truncated tail is found because the head still names the lost event."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
