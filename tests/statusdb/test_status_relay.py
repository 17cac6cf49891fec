"""The status relay against the common database served over real HTTP: while the service is
down the outbox keeps every change; once it is up each change arrives exactly once."""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import Engine, func, select

from activities.status_sync import StatusRelay, agency_keys
from casefile.db import transaction
from casefile.filecodes import CaseCode
from casefile.models import StatusOutboxEntry
from casefile.status import StatusKind, TransferStatus, record_status_change, record_transfer_status
from statusdb.models import Alert, StatusRecord
from tests.conftest import Database
from tests.statusdb.conftest import MASTER_SECRET, statusdb_app, statusdb_engine

CASE = str(CaseCode.issue(agency="CSDTHN", year=2026, serial=9))


class ManualClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def serving(engine: Engine, tmp_path: Path, port: int) -> AsyncIterator[None]:
    """The service on 127.0.0.1:``port`` until the block ends."""
    server = uvicorn.Server(
        uvicorn.Config(statusdb_app(engine, tmp_path), host="127.0.0.1", port=port, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the service did not start"
        await asyncio.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        await task


def rows(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def unsent(database: Database) -> list[StatusOutboxEntry]:
    with database.sessions() as session:
        return list(
            session.scalars(select(StatusOutboxEntry).where(StatusOutboxEntry.sent_at.is_(None)))
        )


async def test_relay_keeps_changes_while_service_down_and_delivers_once(
    database: Database, tmp_path: Path
) -> None:
    with transaction(database.sessions) as session:
        record_status_change(
            session, agency_code="CSDTHN", case_code=CASE, kind=StatusKind.CASE, status="opened"
        )
        record_transfer_status(
            session,
            case_code=CASE,
            status=TransferStatus.SENT,
            agency_code="CSDTHN",
            counterpart_agency_code="VKSHN",
        )
    port = free_port()
    clock = ManualClock()
    with statusdb_engine(database.kind, tmp_path) as engine:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            relay = StatusRelay(
                database.sessions,
                client,
                agency_keys(MASTER_SECRET, {}),
                backoff=(2.0, 60.0),
                now=clock,
            )

            assert await relay.drain_once() == 0  # nothing listens on the port
            waiting = unsent(database)
            assert len(waiting) == 2
            first = min(waiting, key=lambda entry: entry.id)
            assert first.attempts == 1 and "ConnectError" in (first.last_error or "")
            assert first.next_attempt_at == clock.now + timedelta(seconds=2)

            async with serving(engine, tmp_path, port):
                assert await relay.drain_once() == 0  # backing off: not due yet
                clock.now += timedelta(seconds=2)
                assert await relay.drain_once() == 2
                assert await relay.drain_once() == 0

                # a relay that crashed after sending, before marking, sends again
                with transaction(database.sessions) as session:
                    for entry in session.scalars(select(StatusOutboxEntry)):
                        entry.sent_at = None
                assert await relay.drain_once() == 2

            assert unsent(database) == []
            assert rows(engine, StatusRecord) == 2
            assert rows(engine, Alert) == 1  # VKSHN, of the transfer
