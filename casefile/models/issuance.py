"""What issuing a document leaves behind: signatures, confirmations, recipients, step results."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casefile.models.base import Base, UtcDateTime

__all__ = [
    "DocumentSignature",
    "DocumentConfirmation",
    "DocumentRecipient",
    "OtpChallengeRow",
    "OutboxMessage",
    "PlatformEvent",
    "StepResult",
]


class DocumentSignature(Base):
    """One signature or time-stamp applied to a document, with the revision it produced.

    Legal basis: Joint Circular art. 17(1)(a) (log of signing time, signer and document type).
    """

    __tablename__ = "document_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    """``official``, ``register_stamp`` or ``countersignature``."""
    field_name: Mapped[str] = mapped_column(String(64))
    signer_name: Mapped[str] = mapped_column(String(255))
    certificate_serial: Mapped[str] = mapped_column(String(80), default="")
    certificate_issuer: Mapped[str] = mapped_column(String(500), default="")
    level: Mapped[str] = mapped_column(String(16), default="")
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revision_sha256: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the PDF bytes right after this signature."""


class DocumentConfirmation(Base):
    """A participant's confirmation by an alternative form, sealed (art. 6, 7(6))."""

    __tablename__ = "document_confirmations"
    __table_args__ = (UniqueConstraint("document_id", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    form: Mapped[str] = mapped_column(String(32))
    record: Mapped[str] = mapped_column(Text)
    """The canonical JSON that was sealed, byte for byte."""
    seal: Mapped[bytes] = mapped_column(LargeBinary)
    """Detached CMS signature of ``record`` by the agency's electronic seal."""
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DocumentRecipient(Base):
    """Someone the document must be delivered to; the delivery process takes it from here."""

    __tablename__ = "document_recipients"
    __table_args__ = (UniqueConstraint("document_id", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    status: Mapped[str] = mapped_column(String(32), default="pending_delivery")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class StepResult(Base):
    """The recorded result of an activity step, keyed by workflow id and step name, so a
    retried activity returns what the first run produced instead of acting twice."""

    __tablename__ = "step_results"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    result: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempt: Mapped[int] = mapped_column(Integer, default=1)


class OtpChallengeRow(Base):
    """A one-time code challenge as stored: its salted hash and counters, never the code."""

    __tablename__ = "otp_challenges"

    challenge_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    data: Mapped[str] = mapped_column(Text)
    """casefile.confirmation.OtpChallenge as JSON (attempts left, expiry, used)."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutboxMessage(Base):
    """A message waiting to be sent to a participant through a platform (the delivery
    workers send and mark them); kept so that what was sent can be shown later."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    related_code: Mapped[str] = mapped_column(String(80), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class PlatformEvent(Base):
    """A receipt reported by a platform's webhook, kept once per event id (replay-safe)."""

    __tablename__ = "platform_events"

    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    event_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(100), index=True)
    document_code: Mapped[str | None] = mapped_column(String(80), index=True)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
