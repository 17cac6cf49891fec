"""A case file's handover between agencies, as each side's database records it."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casefile.models.base import Base, UtcDateTime

__all__ = ["Transfer", "TransferBlob"]


class Transfer(Base):
    """One side of a transfer: ``outgoing`` at the sender, ``incoming`` at the receiver. When
    both agencies share one installation, both rows live in the same database.

    Legal basis: Joint Circular art. 9(1)-(3) (inventory, handover record, electronic
    receipts), 15(1) (the receiver checks the file's legality).
    """

    __tablename__ = "transfers"
    __table_args__ = (UniqueConstraint("transfer_id", "direction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[str] = mapped_column(String(64), index=True)
    """Shared by both sides: chosen by the sender when the transfer starts."""
    direction: Mapped[str] = mapped_column(String(8))
    case_code: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    from_agency_code: Mapped[str] = mapped_column(String(12), index=True)
    to_agency_code: Mapped[str] = mapped_column(String(12), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    workflow_id: Mapped[str] = mapped_column(String(200))
    """This side's process: TransferCaseFile at the sender, ReceiveCaseFile at the receiver."""
    inventory: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """casefile.transfers.Inventory as JSON; the sender's signature covers it."""
    inventory_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    inventory_signature: Mapped[str | None] = mapped_column(Text, default=None)
    handover_document_code: Mapped[str | None] = mapped_column(String(60), default=None)
    physical_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """The receiver's signed electronic receipt of the package (art. 9(1))."""
    check_report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    decided_by: Mapped[str | None] = mapped_column(String(255), default=None)
    reasons: Mapped[str | None] = mapped_column(Text, default=None)
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """The receiver's signed acceptance or return, with reasons."""
    warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    """When supervisors were warned that the transfer stayed unconfirmed (art. 17(2)(e))."""


class TransferBlob(Base):
    """A document's bytes as they arrived at the receiver: stored under their own hash, so
    the legality check compares what came with what the inventory promised."""

    __tablename__ = "transfer_blobs"
    __table_args__ = (UniqueConstraint("transfer_id", "expected_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[str] = mapped_column(String(64), index=True)
    expected_sha256: Mapped[str] = mapped_column(String(64))
    received_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
