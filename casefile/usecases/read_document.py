"""Reading a document: authorized by its case, logged (Joint Circular art. 14(2), 15(2))."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.access import check_can_read_case
from casefile.audit import record_event
from casefile.blobstore import BlobStore
from casefile.errors import NotFound
from casefile.filecodes import ExtensionKind, parse_extended_code
from casefile.models import (
    Case,
    Document,
    DocumentConfirmation,
    DocumentRecipient,
    DocumentSignature,
    Party,
    User,
)

__all__ = ["DocumentView", "get_document_for", "read_document", "read_document_bytes"]


@dataclass(frozen=True)
class DocumentView:
    document: Document
    case: Case
    signatures: Sequence[DocumentSignature]
    recipients: Sequence[tuple[DocumentRecipient, Party]]
    confirmations: Sequence[tuple[DocumentConfirmation, Party]]


def get_document_for(session: Session, *, actor: User, code: str) -> tuple[Document, Case]:
    """Load a document the actor may read; a mistyped code raises InvalidCode first."""
    parse_extended_code(code, ExtensionKind.DOCUMENT)
    document = session.scalars(select(Document).where(Document.code == code)).one_or_none()
    if document is None:
        raise NotFound(f"no document {code}", field="code")
    case = session.get(Case, document.case_id)
    try:
        check_can_read_case(actor, case)
    except NotFound:
        raise NotFound(f"no document {code}", field="code") from None
    return document, case


def _log(session: Session, actor: User, action: str, document: Document, **details: object) -> None:
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action=action,
        object_type="document",
        object_code=document.code,
        details=details,
    )


def read_document(session: Session, *, actor: User, code: str) -> DocumentView:
    document, case = get_document_for(session, actor=actor, code=code)
    _log(session, actor, "document.read", document)
    signatures = session.scalars(
        select(DocumentSignature)
        .where(DocumentSignature.document_id == document.id)
        .order_by(DocumentSignature.id)
    ).all()
    recipients = session.execute(
        select(DocumentRecipient, Party)
        .join(Party, Party.id == DocumentRecipient.party_id)
        .where(DocumentRecipient.document_id == document.id)
        .order_by(DocumentRecipient.id)
    ).all()
    confirmations = session.execute(
        select(DocumentConfirmation, Party)
        .join(Party, Party.id == DocumentConfirmation.party_id)
        .where(DocumentConfirmation.document_id == document.id)
    ).all()
    return DocumentView(
        document,
        case,
        signatures,
        [tuple(r) for r in recipients],
        [tuple(c) for c in confirmations],
    )


def read_document_bytes(
    session: Session, *, actor: User, code: str, blobs: BlobStore, purpose: str
) -> tuple[Document, bytes]:
    """The stored bytes (hash-verified), logged as a download or a validation."""
    document, _ = get_document_for(session, actor=actor, code=code)
    data = blobs.get(document.sha256)
    _log(session, actor, f"document.{purpose}", document, sha256=document.sha256)
    return document, data
