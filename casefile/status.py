"""Record a status change for the common database, in the transaction that makes the change.

Legal basis: Joint Circular art. 18(2) (related agencies updated automatically and in
time when one agency changes the file), art. 18(4) (the common database keeps identifying
information and statuses only).

The domain calls :func:`record_status_change` inside its own transaction: the change and
its outbox row commit or roll back together, and the relay (activities/status_sync.py)
later publishes the row to the common database (the ``statusdb`` service), retrying
until it is taken, with the row's ``event_id`` as idempotency key. Only codes, a status
from the closed vocabulary of ``statusdb.contract`` and times are recorded: the event is
validated against that contract here, so nothing else can even reach the outbox.

Hooked in: case opened (usecases/open_case.py), stage changed (usecases/change_stage.py),
document registered or filed (usecases/issue_document.py, usecases/file_document.py),
a recipient's delivery status (activities/delivery.py).

For the case-file transfer (art. 9(1)-(3)), call :func:`record_transfer_status` in the
transaction of each step, naming the agency doing the step and the other agency::

    # the sending agency hands the file over
    record_transfer_status(session, case_code=case.code, status=TransferStatus.SENT,
                           agency_code=sender.code, counterpart_agency_code=receiver.code)
    # the receiving agency's system received it / a person accepted or returned it
    record_transfer_status(session, case_code=case.code, status=TransferStatus.ACCEPTED,
                           agency_code=receiver.code, counterpart_agency_code=sender.code)

The counterpart becomes party to the case at the common database, so it is alerted of
every later status change of the case (and the sender of the receiver's).
"""

import uuid
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session

from casefile.errors import InvalidInput
from casefile.models import StatusOutboxEntry
from casefile.models.base import utcnow
from statusdb.contract import StatusEvent, StatusKind, TransferStatus

__all__ = [
    "StatusKind",
    "TransferStatus",
    "record_status_change",
    "record_transfer_status",
]


def record_status_change(
    session: Session,
    *,
    agency_code: str,
    case_code: str,
    kind: StatusKind,
    status: str,
    subject_code: str | None = None,
    party_code: str | None = None,
    counterpart_agency_code: str | None = None,
    occurred_at: datetime | None = None,
) -> StatusOutboxEntry:
    """Queue one status change of ``case_code`` made by ``agency_code`` for the common
    database, in the caller's transaction; raise :class:`InvalidInput` if it is not a
    valid status event (a programming error: the contract admits codes and statuses only).

    :param subject_code: the document code, for document, delivery and notification kinds.
    :param party_code: the recipient's party code, for a delivery.
    :param counterpart_agency_code: the other agency of a transfer.
    """
    moment = occurred_at or utcnow()
    try:
        event = StatusEvent(
            event_id=uuid.uuid4().hex,
            agency_code=agency_code,
            case_code=case_code,
            kind=kind,
            status=status,
            subject_code=subject_code,
            party_code=party_code,
            counterpart_agency_code=counterpart_agency_code,
            occurred_at=moment,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise InvalidInput(f"not a status event: {first['msg']}", field=field) from None
    entry = StatusOutboxEntry(**event.model_dump(mode="python"), attempts=0, next_attempt_at=moment)
    session.add(entry)
    return entry


def record_transfer_status(
    session: Session,
    *,
    case_code: str,
    status: TransferStatus,
    agency_code: str,
    counterpart_agency_code: str,
    occurred_at: datetime | None = None,
) -> StatusOutboxEntry:
    """Queue a step of a case-file transfer: ``agency_code`` did it (sent, received,
    accepted or returned), ``counterpart_agency_code`` is the other agency."""
    return record_status_change(
        session,
        agency_code=agency_code,
        case_code=case_code,
        kind=StatusKind.TRANSFER,
        status=TransferStatus(status).value,
        counterpart_agency_code=counterpart_agency_code,
        occurred_at=occurred_at,
    )
