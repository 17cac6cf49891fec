"""Open an electronic case file and assign its electronic file code."""

from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.access import check_can_open_case
from casefile.audit import record_event
from casefile.codes import Stage
from casefile.filecodes import CaseCode
from casefile.inputs import NewCase
from casefile.models import Case, User
from casefile.numbering import case_serial_scope, next_numbers
from casefile.repositories.cases import get_agency_by_code
from casefile.status import StatusKind, record_status_change

__all__ = ["open_case"]


def open_case(
    session: Session,
    *,
    actor: User,
    new: NewCase,
    request_id: str,
    opened_at: datetime,
    zone: tzinfo,
) -> Case:
    """Create the case with a fresh code; a repeated ``request_id`` returns the same case.

    Legal basis: Joint Circular art. 10(3) (a unique electronic file code from the moment
    the file is created), art. 4(4) (logged), art. 18(4) (status shared).
    """
    existing = session.scalars(select(Case).where(Case.open_request_id == request_id)).first()
    if existing is not None:
        return existing
    agency = get_agency_by_code(session=session, code=new.agency_code)
    check_can_open_case(actor, agency)
    year = opened_at.astimezone(zone).year  # the legal year, in Vietnam's time zone
    serial = next_numbers(session, case_serial_scope(agency.code, year))
    code = str(CaseCode.issue(agency=agency.code, year=year, serial=serial))
    case = Case(
        code=code,
        title=new.title,
        summary=new.summary,
        offence=new.offence,
        stage=Stage.INTAKE,
        secrecy=new.secrecy,
        owner_agency_id=agency.id,
        opened_at=opened_at,
        opened_by_id=actor.id,
        open_request_id=request_id,
    )
    session.add(case)
    session.flush()
    record_event(
        session,
        actor=actor.username,
        agency=agency.code,
        action="case.opened",
        object_type="case",
        object_code=code,
        details={"stage": Stage.INTAKE.value, "secrecy": new.secrecy.value, "request": request_id},
        occurred_at=opened_at,
    )
    record_status_change(
        session,
        agency_code=agency.code,
        case_code=code,
        kind=StatusKind.CASE,
        status="opened",
        occurred_at=opened_at,
    )
    return case
