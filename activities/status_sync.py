"""The status relay: publishes the status outbox to the common database, oldest first.

Legal basis: Joint Circular art. 18(2) (related agencies updated automatically and in
time), art. 18(3) (authenticated, logged exchange), art. 18(4) (the common database).

Rows written by casefile.status in the domain's transactions are sent one by one, in the
order they were written, each signed with its agency's key (statusdb.contract) and
carrying its ``event_id``, which the service keeps once. A row is marked sent only after
the service took it (201) or already had it (200), so a crash between the two sends it
again and the service ignores the repeat: every change arrives exactly once. While the
service is down or refuses, the oldest unsent row waits with a capped exponential backoff
and the rows behind it wait with it, so the service sees each case's changes in order.

Run by ``hoso status-relay`` (a loop; ``make run`` starts it). Several relays may run at
once: at worst one row is sent twice, and the service keeps it once.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select

from casefile.db import SessionFactory, make_engine, make_session_factory, transaction
from casefile.models import StatusOutboxEntry
from casefile.models.base import utcnow
from casefile.settings import Settings
from statusdb.contract import StatusEvent, agency_key, signed_headers

__all__ = ["EVENTS_PATH", "StatusRelay", "agency_keys", "run_status_relay"]

EVENTS_PATH = "/api/v1/events"
_LOG = logging.getLogger("hoso.status_sync")


def agency_keys(master: str, explicit: dict[str, str]) -> Callable[[str], bytes]:
    """Each agency's key at the common database: the explicit one, else derived."""

    def key_of(agency_code: str) -> bytes:
        if agency_code in explicit:
            return explicit[agency_code].encode()
        return agency_key(master.encode(), agency_code)

    return key_of


class StatusRelay:
    """Drains ``status_outbox`` to the common database over ``client`` (base URL set)."""

    def __init__(
        self,
        sessions: SessionFactory,
        client: httpx.AsyncClient,
        key_of: Callable[[str], bytes],
        *,
        batch_size: int = 100,
        backoff: tuple[float, float] = (1.0, 300.0),
        poll_seconds: float = 1.0,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._client = client
        self._key_of = key_of
        self._batch_size = batch_size
        self._backoff_base, self._backoff_cap = backoff
        self._poll_seconds = poll_seconds
        self._now = now

    def _oldest_unsent(self) -> list[StatusOutboxEntry]:
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(StatusOutboxEntry)
                    .where(StatusOutboxEntry.sent_at.is_(None))
                    .order_by(StatusOutboxEntry.id)
                    .limit(self._batch_size)
                ).all()
            )

    def _mark_sent(self, entry_id: int) -> None:
        with transaction(self._sessions) as session:
            entry = session.get_one(StatusOutboxEntry, entry_id)
            entry.attempts += 1
            entry.sent_at = entry.sent_at or self._now()
            entry.last_error = None

    def _mark_failed(self, entry_id: int, error: str) -> None:
        with transaction(self._sessions) as session:
            entry = session.get_one(StatusOutboxEntry, entry_id)
            entry.attempts += 1
            delay = min(self._backoff_cap, self._backoff_base * 2 ** (entry.attempts - 1))
            entry.next_attempt_at = self._now() + timedelta(seconds=delay)
            entry.last_error = error[:300]

    async def _send(self, entry: StatusOutboxEntry) -> str | None:
        """Publish one row; None if the service has it now, else why not."""
        body = StatusEvent.model_validate(entry, from_attributes=True).model_dump_json().encode()
        headers = signed_headers(
            self._key_of(entry.agency_code),
            agency_code=entry.agency_code,
            method="POST",
            target=EVENTS_PATH,
            body=body,
            now=self._now(),
        )
        headers["Content-Type"] = "application/json"
        try:
            response = await self._client.post(EVENTS_PATH, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if response.status_code in (200, 201):
            return None
        return f"HTTP {response.status_code}: {response.text[:250]}"

    async def drain_once(self) -> int:
        """Send the due rows, oldest first, stopping at the first that is not taken (or not
        yet due again); return how many the service took."""
        taken = 0
        for entry in await asyncio.to_thread(self._oldest_unsent):
            if entry.next_attempt_at > self._now():
                break
            error = await self._send(entry)
            if error is not None:
                _LOG.warning(
                    "status %s not published (attempt %d): %s",
                    entry.event_id,
                    entry.attempts + 1,
                    error,
                )
                await asyncio.to_thread(self._mark_failed, entry.id, error)
                break
            await asyncio.to_thread(self._mark_sent, entry.id)
            taken += 1
        return taken

    async def run(self) -> None:
        """Drain forever: at once while there is work, else every ``poll_seconds``."""
        while True:
            try:
                taken = await self.drain_once()
            except Exception:  # the database is briefly unavailable: try again later
                _LOG.exception("status relay round failed")
                taken = 0
            if taken < self._batch_size:
                await asyncio.sleep(self._poll_seconds)


async def run_status_relay(settings: Settings) -> None:
    """Relay this instance's outbox to ``HOSO_STATUSDB_URL`` until cancelled."""
    engine = make_engine(settings.effective_database_url)
    keys = agency_keys(settings.statusdb_secret, settings.statusdb_agency_secrets)
    try:
        async with httpx.AsyncClient(base_url=settings.statusdb_url, timeout=10.0) as client:
            await StatusRelay(make_session_factory(engine), client, keys).run()
    finally:
        engine.dispose()
