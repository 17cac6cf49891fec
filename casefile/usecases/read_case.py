"""Reading a case file: every read is authorized and logged (Joint Circular art. 14(2))."""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from casefile.access import check_can_read_case
from casefile.audit import record_event
from casefile.models import Case, Document, Party, User
from casefile.repositories.cases import (
    CaseFilter,
    get_case_by_code,
    list_cases,
    list_documents,
    list_parties,
)

__all__ = ["read_case", "read_inventory", "search_cases"]


def _log_read(session: Session, actor: User, action: str, code: str, **details: object) -> None:
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action=action,
        object_type="case",
        object_code=code,
        details=details,
    )


def read_case(session: Session, *, actor: User, code: str) -> tuple[Case, Sequence[Party]]:
    case = get_case_by_code(session=session, code=code)
    check_can_read_case(actor, case)
    _log_read(session, actor, "case.read", case.code)
    return case, list_parties(session=session, case=case)


def read_inventory(session: Session, *, actor: User, code: str) -> tuple[Case, Sequence[Document]]:
    case = get_case_by_code(session=session, code=code)
    check_can_read_case(actor, case)
    _log_read(session, actor, "case.inventory_read", case.code)
    return case, list_documents(session=session, case=case)


def search_cases(
    session: Session, *, actor: User, where: CaseFilter, limit: int, offset: int
) -> tuple[Sequence[Case], int]:
    """List the cases of the actor's agency that the actor's clearance covers."""
    rows, total = list_cases(session=session, where=where, limit=limit, offset=offset)
    visible = [case for case in rows if _may_read(actor, case)]
    _log_read(
        session,
        actor,
        "case.listed",
        "*",
        stage=where.stage,
        text=where.text,
        returned=[case.code for case in visible],
    )
    return visible, total


def _may_read(actor: User, case: Case) -> bool:
    try:
        check_can_read_case(actor, case)
    except Exception:
        return False
    return True
