"""File a document into a case: document code, gap-free record (bút lục) numbers, audit."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.access import check_can_edit_case
from casefile.audit import record_event
from casefile.errors import InvalidInput
from casefile.filecodes import ExtensionKind, parse_case_code
from casefile.inputs import NewDocument
from casefile.models import Case, Document, User
from casefile.numbering import case_scope, next_numbers
from casefile.status import StatusKind, record_status_change

__all__ = ["file_document"]


def file_document(
    session: Session, *, actor: User, case: Case, new: NewDocument, request_key: str, blobs
) -> Document:
    """File ``new`` into ``case``; a repeated ``request_key`` returns the document filed first.

    Each page is one record (bút lục); numbers are consecutive per case with no gap, so the
    inventory can be checked for completeness when the file is transferred.

    Legal basis: Joint Circular art. 10(3), 13(1).
    """
    existing = session.scalars(select(Document).where(Document.request_key == request_key)).first()
    if existing is not None:
        return existing
    check_can_edit_case(actor, case)
    if not blobs.exists(new.sha256):
        raise InvalidInput(f"no stored bytes with SHA-256 {new.sha256}", field="sha256")
    number = next_numbers(session, case_scope(case.id, "document"))
    first_record = next_numbers(session, case_scope(case.id, "record"), new.page_count)
    code = str(parse_case_code(case.code).extend(ExtensionKind.DOCUMENT, number))
    document = Document(
        case_id=case.id,
        number=number,
        code=code,
        first_record=first_record,
        last_record=first_record + new.page_count - 1,
        created_at=datetime.now(UTC),
        created_by_id=actor.id,
        request_key=request_key,
        **new.model_dump(),
    )
    session.add(document)
    session.flush()
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action="document.filed",
        object_type="document",
        object_code=code,
        details={
            "case": case.code,
            "sha256": new.sha256,
            "records": [document.first_record, document.last_record],
        },
    )
    record_status_change(
        session,
        agency_code=actor.agency.code,
        case_code=case.code,
        kind=StatusKind.DOCUMENT,
        status="filed",
        subject_code=code,
        occurred_at=document.created_at,
    )
    return document
