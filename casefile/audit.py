"""Append to and verify the hash-chained audit log.

Legal basis: Joint Circular art. 4(4), 14(2), 17(1)(đ): every access, signature,
transfer, read and copy is logged so that a third party can verify it.

Each event's hash is SHA-256 over a canonical JSON of its fields and the previous
event's hash; the first event chains to :data:`GENESIS_HASH`. Changing, deleting or
inserting one row breaks the chain at that position, and :func:`verify_chain` names it.
"""

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casefile.models import AuditEvent, AuditHead

__all__ = ["GENESIS_HASH", "ChainBreak", "record_event", "verify_chain", "event_hash"]

GENESIS_HASH = "0" * 64
HEAD_ID = 1
"""The migration creates this row (last_seq 0, the genesis hash)."""


def canonical_json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor: str,
    agency: str,
    action: str,
    object_type: str,
    object_code: str,
    details: str,
    prev_hash: str,
) -> str:
    payload = canonical_json(
        {
            "seq": seq,
            "occurred_at": _timestamp(occurred_at),
            "actor": actor,
            "agency": agency,
            "action": action,
            "object_type": object_type,
            "object_code": object_code,
            "details": details,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor=event.actor,
        agency=event.agency,
        action=event.action,
        object_type=event.object_type,
        object_code=event.object_code,
        details=event.details,
        prev_hash=event.prev_hash,
    )


def record_event(
    session: Session,
    *,
    actor: str,
    agency: str,
    action: str,
    object_type: str,
    object_code: str,
    details: Mapping[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (so it commits or rolls back with the act).

    Locking the head row serialises appenders: the chain never forks under concurrency.
    """
    seq, prev_hash = session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(last_seq=AuditHead.last_seq + 1)
        .returning(AuditHead.last_seq, AuditHead.last_hash)
    ).one()
    event = AuditEvent(
        seq=seq,
        occurred_at=occurred_at or datetime.now(UTC),
        actor=actor,
        agency=agency,
        action=action,
        object_type=object_type,
        object_code=object_code,
        details=canonical_json(details or {}),
        prev_hash=prev_hash,
    )
    event.hash = _hash_of(event)
    session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(last_hash=event.hash))
    session.flush()
    return event


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the stored log differs from what its hashes promise."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit event {self.seq}: {self.reason}"


def _events(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify_chain(session: Session) -> tuple[int, ChainBreak | None]:
    """Recompute the whole chain; return the number of events checked and the first break."""
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    for event in _events(session):
        if event.seq != expected_seq:
            return count, ChainBreak(
                expected_seq, f"missing (the next stored event is {event.seq})"
            )
        if event.prev_hash != prev_hash:
            return count, ChainBreak(
                event.seq, "does not chain to the previous event (one was changed or inserted)"
            )
        if _hash_of(event) != event.hash:
            return count, ChainBreak(event.seq, "its content does not match its hash (changed)")
        prev_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
    head = session.get(AuditHead, HEAD_ID)
    last_seq = expected_seq - 1
    if head is None:
        return count, ChainBreak(last_seq + 1, "the chain head record is missing")
    if head.last_seq != last_seq or head.last_hash != prev_hash:
        return count, ChainBreak(
            last_seq + 1,
            f"missing: the chain head names event {head.last_seq}, the log ends at {last_seq}",
        )
    return count, None
