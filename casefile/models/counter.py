"""Gap-free counters (case serials, document, record and party numbers)."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casefile.models.base import Base

__all__ = ["Counter"]


class Counter(Base):
    __tablename__ = "counters"

    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    """The last number handed out in this scope."""
