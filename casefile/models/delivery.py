"""What delivering a document leaves for people to do: the officers' paper and posting tasks."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casefile.models.base import Base, UtcDateTime

__all__ = ["DeliveryTask"]


class DeliveryTask(Base):
    """A task for an officer: hand over a converted paper copy (directly or through the
    detention facility) or post it publicly; closed with the outcome the officer reports.

    Legal basis: Joint Circular art. 9(4)(b), 9(4)(c); CPC art. 137, 140.
    """

    __tablename__ = "delivery_tasks"
    __table_args__ = (UniqueConstraint("workflow_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(200), index=True)
    """The DeliverDocument process that created the task (one task per kind and process)."""
    kind: Mapped[str] = mapped_column(String(32))
    """``paper_delivery`` or ``posting``."""
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    agency_code: Mapped[str] = mapped_column(String(12), index=True)
    """The agency whose officers carry it out (the case's owner)."""
    via: Mapped[str] = mapped_column(String(32))
    """``direct``, ``detention_facility`` or ``posting``."""
    via_agency_code: Mapped[str | None] = mapped_column(String(12), default=None)
    """The detention facility that hands the copy over, where the recipient is detained."""
    paper_copy_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    """The conversion certification filed with the paper copy (art. 9(7))."""
    instructions: Mapped[str] = mapped_column(Text, default="")
    legal_ground: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    """``open`` or ``done``."""
    outcome: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
