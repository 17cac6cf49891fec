"""The common database's tables: identifiers, statuses, times and agency codes only.

Legal basis: Joint Circular art. 18(4). No column can hold a name, a text or a file: every
string column is a code or a vocabulary value, each as wide as its format needs.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from casefile.models.base import NAMING_CONVENTION, UtcDateTime

__all__ = ["Alert", "Base", "CaseParty", "StatusRecord"]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class StatusRecord(Base):
    """One published status change, kept once per event id."""

    __tablename__ = "status_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(32), unique=True)
    agency_code: Mapped[str] = mapped_column(String(12))
    case_code: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    subject_code: Mapped[str | None] = mapped_column(String(60), default=None)
    party_code: Mapped[str | None] = mapped_column(String(60), default=None)
    counterpart_agency_code: Mapped[str | None] = mapped_column(String(12), default=None)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CaseParty(Base):
    """An agency party to a case: it published about it or was named the other agency of a
    transfer. Only parties read a case's statuses and get its alerts (selective sharing)."""

    __tablename__ = "case_parties"
    __table_args__ = (UniqueConstraint("case_code", "agency_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_code: Mapped[str] = mapped_column(String(40), index=True)
    agency_code: Mapped[str] = mapped_column(String(12), index=True)
    since: Mapped[datetime] = mapped_column(UtcDateTime())


class Alert(Base):
    """A status change of a case, for one other agency party to it, until acknowledged."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("agency_code", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(12), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("status_records.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
