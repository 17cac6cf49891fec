"""Keeping published status changes, the agencies party to each case, and their alerts.

Legal basis: Joint Circular art. 18(4) (identifiers and statuses only, selective sharing,
synchronized automated alerts between the agencies' software).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casefile.errors import Conflict, NotFound
from statusdb.contract import StatusEvent
from statusdb.models import Alert, CaseParty, StatusRecord

__all__ = ["Published", "acknowledge_alert", "case_records", "list_alerts", "publish_event"]

_COMPARED = (
    "agency_code",
    "case_code",
    "kind",
    "status",
    "subject_code",
    "party_code",
    "counterpart_agency_code",
)


@dataclass(frozen=True)
class Published:
    record: StatusRecord
    duplicate: bool
    alerted: list[str]
    """The agencies alerted (none for a duplicate)."""


def _same_event(record: StatusRecord, event: StatusEvent) -> bool:
    return all(getattr(record, name) == getattr(event, name) for name in _COMPARED) and (
        record.occurred_at == event.occurred_at
    )


def _record_of(session: Session, event_id: str) -> StatusRecord | None:
    return session.scalars(
        select(StatusRecord).where(StatusRecord.event_id == event_id)
    ).one_or_none()


def _duplicate_of(record: StatusRecord, event: StatusEvent) -> Published:
    if not _same_event(record, event):
        raise Conflict(
            f"event {event.event_id} was already published with other values", field="event_id"
        )
    return Published(record, duplicate=True, alerted=[])


def _join(session: Session, case_code: str, agency_code: str, now: datetime) -> None:
    """Make ``agency_code`` party to the case, once (concurrent publishers may race)."""
    exists = session.scalars(
        select(CaseParty.id).where(
            CaseParty.case_code == case_code, CaseParty.agency_code == agency_code
        )
    ).first()
    if exists is not None:
        return
    try:
        with session.begin_nested():
            session.add(CaseParty(case_code=case_code, agency_code=agency_code, since=now))
    except IntegrityError:
        pass  # another request made it party first


def publish_event(session: Session, event: StatusEvent, *, now: datetime) -> Published:
    """Keep ``event`` once and alert every other agency party to its case.

    The publisher and the counterpart of a transfer become party to the case first, so
    the receiving agency of a transfer hears of it. A repeated event id with the same
    values changes nothing; with other values it is a :class:`Conflict`.
    """
    existing = _record_of(session, event.event_id)
    if existing is not None:
        return _duplicate_of(existing, event)
    record = StatusRecord(**event.model_dump(mode="python"), received_at=now)
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        existing = _record_of(session, event.event_id)
        if existing is None:
            raise
        return _duplicate_of(existing, event)
    for agency in (event.agency_code, event.counterpart_agency_code):
        if agency is not None:
            _join(session, event.case_code, agency, now)
    others = session.scalars(
        select(CaseParty.agency_code)
        .where(CaseParty.case_code == event.case_code, CaseParty.agency_code != event.agency_code)
        .order_by(CaseParty.agency_code)
    ).all()
    session.add_all(
        Alert(agency_code=other, record_id=record.id, created_at=now) for other in others
    )
    return Published(record, duplicate=False, alerted=list(others))


def list_alerts(
    session: Session, *, agency_code: str, pending_only: bool, after_id: int, limit: int
) -> list[tuple[Alert, StatusRecord]]:
    """The agency's alerts in the order they were raised, from ``after_id`` on."""
    query = (
        select(Alert, StatusRecord)
        .join(StatusRecord, StatusRecord.id == Alert.record_id)
        .where(Alert.agency_code == agency_code, Alert.id > after_id)
        .order_by(Alert.id)
        .limit(limit)
    )
    if pending_only:
        query = query.where(Alert.acknowledged_at.is_(None))
    return [(alert, record) for alert, record in session.execute(query).all()]


def acknowledge_alert(
    session: Session, *, agency_code: str, alert_id: int, now: datetime
) -> tuple[Alert, StatusRecord]:
    """Mark the agency's alert read; acknowledging again keeps the first time."""
    row = session.execute(
        select(Alert, StatusRecord)
        .join(StatusRecord, StatusRecord.id == Alert.record_id)
        .where(Alert.id == alert_id, Alert.agency_code == agency_code)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no alert {alert_id} for agency {agency_code}", field="alert_id")
    alert, record = row
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
    return alert, record


def case_records(session: Session, *, agency_code: str, case_code: str) -> list[StatusRecord]:
    """Every status of the case, oldest first, for an agency party to it (else NotFound:
    an agency learns nothing of a case it has no part in, not even that it exists)."""
    party = session.scalars(
        select(CaseParty.id).where(
            CaseParty.case_code == case_code, CaseParty.agency_code == agency_code
        )
    ).first()
    if party is None:
        raise NotFound(f"no case {case_code} that {agency_code} is party to", field="case_code")
    return list(
        session.scalars(
            select(StatusRecord)
            .where(StatusRecord.case_code == case_code)
            .order_by(StatusRecord.occurred_at, StatusRecord.id)
        ).all()
    )
