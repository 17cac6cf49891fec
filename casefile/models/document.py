"""Documents of a case file with their codes and record (bút lục) numbers."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casefile.codes import DocumentForm, DocumentStatus, SecrecyLevel
from casefile.models.base import Base, UtcDateTime

__all__ = ["Document"]


class Document(Base):
    """One document of the file; its bytes live in the blob store under ``sha256``.

    Legal basis: Joint Circular art. 10(3), 13(1): every document carries a document
    code and record numbers, numbered without gaps in the order it joined the file.
    """

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("case_id", "number"),
        UniqueConstraint("case_id", "first_record"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    doc_type: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    form: Mapped[DocumentForm] = mapped_column(String(16))
    status: Mapped[DocumentStatus] = mapped_column(String(32))
    secrecy: Mapped[SecrecyLevel] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(64), default="application/pdf")
    page_count: Mapped[int] = mapped_column(Integer)
    first_record: Mapped[int] = mapped_column(Integer)
    last_record: Mapped[int] = mapped_column(Integer)
    procedural_number: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    workflow_id: Mapped[str | None] = mapped_column(String(200), default=None)
    """The process that issued the document, if one did."""
    request_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    """Idempotency key of the step that filed it: a retry finds the row instead of adding one."""
