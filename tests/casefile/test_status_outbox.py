"""The status outbox (casefile.status): a row per status change, in the caller's
transaction, and nothing that is not a code, a status or a time."""

import pytest
from sqlalchemy import func, select

from casefile.db import transaction
from casefile.errors import InvalidInput
from casefile.filecodes import CaseCode, ExtensionKind
from casefile.models import StatusOutboxEntry
from casefile.status import (
    StatusKind,
    TransferStatus,
    record_status_change,
    record_transfer_status,
)
from tests.conftest import Database

CASE = str(CaseCode.issue(agency="CSDTHN", year=2026, serial=5))


def outbox(database: Database) -> list[StatusOutboxEntry]:
    with database.sessions() as session:
        return list(session.scalars(select(StatusOutboxEntry).order_by(StatusOutboxEntry.id)))


def test_status_change_recorded_with_the_transaction(database: Database) -> None:
    with transaction(database.sessions) as session:
        record_status_change(
            session,
            agency_code="CSDTHN",
            case_code=CASE,
            kind=StatusKind.STAGE,
            status="investigation",
        )
        record_transfer_status(
            session,
            case_code=CASE,
            status=TransferStatus.SENT,
            agency_code="CSDTHN",
            counterpart_agency_code="VKSHN",
        )

    stage, transfer = outbox(database)
    assert (stage.kind, stage.status, stage.sent_at) == ("stage", "investigation", None)
    assert (transfer.kind, transfer.status, transfer.counterpart_agency_code) == (
        "transfer",
        "sent",
        "VKSHN",
    )
    assert len(stage.event_id) == 32 and stage.event_id != transfer.event_id


def test_status_change_rolled_back_with_the_transaction(database: Database) -> None:
    with pytest.raises(RuntimeError), transaction(database.sessions) as session:
        record_status_change(
            session, agency_code="CSDTHN", case_code=CASE, kind=StatusKind.CASE, status="opened"
        )
        raise RuntimeError("the change itself failed")

    assert outbox(database) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"case_code": "Nguyễn Văn An"}, "case_code"),
        ({"party_code": "001090000001"}, "party_code"),
        ({"subject_code": "Quyết định khởi tố"}, "subject_code"),
        ({"status": "giao cho ông An"}, "status"),
    ],
)
def test_status_change_with_content_refused(
    database: Database, changes: dict[str, str], field: str
) -> None:
    case = CaseCode.issue(agency="CSDTHN", year=2026, serial=5)
    arguments = {
        "agency_code": "CSDTHN",
        "case_code": CASE,
        "kind": StatusKind.DELIVERY,
        "status": "posted",
        "subject_code": str(case.extend(ExtensionKind.DOCUMENT, 1)),
        "party_code": str(case.extend(ExtensionKind.PARTY, 1)),
        **changes,
    }
    with pytest.raises(InvalidInput) as refused, transaction(database.sessions) as session:
        record_status_change(session, **arguments)

    assert refused.value.field == field
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StatusOutboxEntry)) == 0
