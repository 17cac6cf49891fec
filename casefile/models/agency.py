"""Agencies and their users."""

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casefile.codes import AgencyKind, Ministry, Role, SecrecyLevel
from casefile.models.base import Base

__all__ = ["Agency", "User"]


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    """Full name as printed on documents, e.g. "Cơ quan Cảnh sát điều tra Công an TP Hà Nội"."""
    superior_name: Mapped[str] = mapped_column(String(255), default="")
    """The body above it on the document header (cơ quan chủ quản), e.g. "CÔNG AN TP HÀ NỘI"."""
    kind: Mapped[AgencyKind] = mapped_column(String(32))
    ministry: Mapped[Ministry] = mapped_column(String(16))
    place: Mapped[str] = mapped_column(String(64), default="")
    """Place name written before the date on documents ("Hà Nội, ngày ...")."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(128), default="")
    """Position printed in the signer block, e.g. "Điều tra viên"."""
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    clearance: Mapped[SecrecyLevel] = mapped_column(String(16), default=SecrecyLevel.UNCLASSIFIED)
    token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    """SHA-256 of the bearer token: the token itself is never stored."""
    certificate_pem: Mapped[str | None] = mapped_column(default=None)
    signing_key: Mapped[str | None] = mapped_column(String(128), default=None)
    """Reference of the user's official signing key in the configured signer back end
    (a demo PKI label, or a PKCS#11 key label); none means the user cannot sign."""

    national_id: Mapped[str | None] = mapped_column(String(12), unique=True, default=None)
    """A participant's national ID (VNeID identity): the account sees the parties with it."""
    e_account: Mapped[str | None] = mapped_column(String(128), unique=True, default=None)
    """A participant's electronic transaction account: the account sees the parties with it
    (Joint Circular art. 15(2))."""

    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)

    def has_role(self, *roles: Role) -> bool:
        return any(role.value in self.roles for role in roles)
