"""Builders for test data on top of the demo agencies and users."""

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.inputs import NewCase, NewDocument
from casefile.models import Case, Document, Party, User
from casefile.usecases.file_document import file_document
from casefile.usecases.open_case import open_case

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def create_case(session: Session, *, username: str = "dtv.an", title: str = "Vụ án thử") -> Case:
    actor = user(session, username)
    return open_case(
        session,
        actor=actor,
        new=NewCase(agency_code=actor.agency.code, title=title, offence="Điều 173 BLHS"),
        request_id=str(uuid.uuid4()),
        opened_at=datetime.now(UTC),
        zone=ZONE,
    )


def add_document(
    session: Session, case: Case, blobs, *, pages: int = 1, key: str | None = None
) -> Document:
    data = f"%PDF-1.7 {uuid.uuid4()}".encode()
    digest = blobs.put(data)
    return file_document(
        session,
        actor=user(session, "dtv.an"),
        case=case,
        new=NewDocument(
            doc_type="digitized_report",
            title="Đơn trình báo",
            sha256=digest,
            size=len(data),
            page_count=pages,
        ),
        request_key=key or str(uuid.uuid4()),
        blobs=blobs,
    )


def add_party(session: Session, case: Case, *, full_name: str = "Đặng Quốc Khánh") -> Party:
    """A hand-entered participant (no national ID: the population database is not asked)."""
    from casefile.inputs import NewParty
    from casefile.usecases.add_party import add_party as add

    return add(
        session,
        actor=user(session, "dtv.an"),
        case=case,
        new=NewParty(role="suspect", full_name=full_name, birth_year=1990),
        person=None,
    )


def add_pdf_document(
    session: Session,
    case: Case,
    blobs,
    pdf: bytes,
    *,
    pages: int,
    title: str = "Quyết định khởi tố vụ án hình sự",
    procedural_number: str | None = None,
) -> Document:
    """File the given PDF bytes (e.g. a signed PDF) as the investigator dtv.an."""
    return file_document(
        session,
        actor=user(session, "dtv.an"),
        case=case,
        new=NewDocument(
            doc_type="decision_institute_case",
            title=title,
            sha256=blobs.put(pdf),
            size=len(pdf),
            page_count=pages,
            procedural_number=procedural_number,
        ),
        request_key=str(uuid.uuid4()),
        blobs=blobs,
    )
