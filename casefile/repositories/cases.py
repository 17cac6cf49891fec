"""Loading and listing cases, parties and documents."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casefile.codes import Stage
from casefile.errors import NotFound
from casefile.filecodes import parse_case_code
from casefile.models import Agency, Case, Document, Party

__all__ = [
    "CaseFilter",
    "get_agency_by_code",
    "get_case_by_code",
    "list_cases",
    "list_documents",
    "list_parties",
]


def get_case_by_code(*, session: Session, code: str, for_update: bool = False) -> Case:
    """Load a case by its electronic file code; a malformed code raises InvalidCode first."""
    parse_case_code(code)
    query = select(Case).where(Case.code == code)
    if for_update:
        query = query.with_for_update(of=Case)
    case = session.scalars(query).one_or_none()
    if case is None:
        raise NotFound(f"no case {code}", field="code")
    return case


@dataclass(frozen=True)
class CaseFilter:
    owner_agency_id: int
    stage: Stage | None = None
    text: str | None = None
    """Matches title, offence or code, case-insensitively."""


def list_cases(
    *, session: Session, where: CaseFilter, limit: int, offset: int
) -> tuple[Sequence[Case], int]:
    query = select(Case).where(Case.owner_agency_id == where.owner_agency_id)
    if where.stage is not None:
        query = query.where(Case.stage == where.stage)
    if where.text:
        pattern = f"%{where.text.lower()}%"
        query = query.where(
            func.lower(Case.title).like(pattern)
            | func.lower(Case.offence).like(pattern)
            | func.lower(Case.code).like(pattern)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Case.opened_at.desc(), Case.id.desc()).limit(limit).offset(offset)
    ).all()
    return rows, total


def list_parties(*, session: Session, case: Case) -> Sequence[Party]:
    return session.scalars(
        select(Party).where(Party.case_id == case.id).order_by(Party.number)
    ).all()


def list_documents(*, session: Session, case: Case) -> Sequence[Document]:
    return session.scalars(
        select(Document).where(Document.case_id == case.id).order_by(Document.number)
    ).all()


def get_agency_by_code(*, session: Session, code: str) -> Agency:
    agency = session.scalars(select(Agency).where(Agency.code == code)).one_or_none()
    if agency is None:
        raise NotFound(f"no agency {code}", field="agency_code")
    return agency
