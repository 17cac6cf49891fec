"""Participants' access to the file: counsel linked to the party they represent, and
documents an officer shared with a party (Joint Circular art. 15(2))."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casefile.models.base import Base, UtcDateTime

__all__ = ["CounselLink", "DocumentShare"]


class CounselLink(Base):
    """A participant account (defence counsel, legal representative) acting for a party:
    it sees what the party sees. One row per party and account; unlinking keeps the row
    with who ended it and when, a new link reopens it (each act is in the audit log).

    Legal basis: Joint Circular art. 15(2); CPC art. 72-78 (defence counsel), 84-85.
    """

    __tablename__ = "counsel_links"
    __table_args__ = (UniqueConstraint("party_id", "counsel_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    """The party represented."""
    counsel_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    capacity: Mapped[str] = mapped_column(String(32))
    """``defence_counsel`` or ``legal_representative`` (casefile.codes.PartyRole values)."""
    linked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    unlinked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    unlinked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class DocumentShare(Base):
    """A document an officer of the owning agency made readable to a party without
    delivering it; unsharing keeps the row with who ended it and when.

    Legal basis: Joint Circular art. 4(4) (sharing approved and logged), 15(2).
    """

    __tablename__ = "document_shares"
    __table_args__ = (UniqueConstraint("document_id", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    shared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    shared_at: Mapped[datetime] = mapped_column(UtcDateTime())
    unshared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    unshared_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
