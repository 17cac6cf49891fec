"""Cases (electronic case files) and their parties."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casefile.codes import PartyRole, SecrecyLevel, Stage
from casefile.models.agency import Agency
from casefile.models.base import Base, UtcDateTime

__all__ = ["Case", "Party"]


class Case(Base):
    """An incident or criminal case file, identified for life by its electronic file code."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    offence: Mapped[str] = mapped_column(String(255), default="")
    """The Penal Code article(s) concerned, as officers write them ("Điều 173 BLHS")."""
    stage: Mapped[Stage] = mapped_column(String(16), index=True)
    secrecy: Mapped[SecrecyLevel] = mapped_column(String(16))
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    open_request_id: Mapped[str] = mapped_column(String(128), unique=True)
    """Idempotency key of the OpenCase workflow that created the case."""

    owner_agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)

    @property
    def agency_code(self) -> str:
        return self.owner_agency.code


class Party(Base):
    """A participant in the proceedings (CPC art. 55) with a party code under the case code."""

    __tablename__ = "parties"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    role: Mapped[PartyRole] = mapped_column(String(32))
    full_name: Mapped[str] = mapped_column(String(255))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    residence: Mapped[str] = mapped_column(String(500), default="")
    national_id: Mapped[str | None] = mapped_column(String(12), index=True)
    e_account: Mapped[str | None] = mapped_column(String(128), index=True)
    """Electronic transaction account (VNeID / e-government portal), if any."""
    detained: Mapped[bool] = mapped_column(Boolean, default=False)
    whereabouts_known: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
