"""The hash-chained audit log: append-only, and any change, deletion or insertion is found."""

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from casefile.audit import event_hash, record_event, verify_chain
from casefile.db import transaction
from tests.conftest import Database


def _append(database: Database, count: int) -> None:
    with transaction(database.sessions) as session:
        for n in range(count):
            record_event(
                session,
                actor="dtv.an",
                agency="CSDTHN",
                action="case.read",
                object_type="case",
                object_code=f"CASE-{n}",
                details={"n": n, "ghi_chú": "đọc hồ sơ"},
            )


def _tamper(database: Database, *statements: str) -> None:
    """Change the log as someone with the database owner's powers would, past the triggers."""
    with database.engine.begin() as connection:
        if database.kind == "postgres":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for statement in statements:
                connection.execute(text(statement))
        else:
            for trigger in ("audit_events_no_update", "audit_events_no_delete"):
                connection.execute(text(f"DROP TRIGGER {trigger}"))
            for statement in statements:
                connection.execute(text(statement))


def _verify(database: Database) -> tuple[int, object]:
    with database.sessions() as session:
        return verify_chain(session)


def test_audit_chain_of_appended_events_verifies(database: Database) -> None:
    _append(database, 5)
    assert _verify(database) == (5, None)


def test_audit_rows_cannot_be_updated_or_deleted_by_the_app(database: Database) -> None:
    _append(database, 2)
    for statement in (
        "UPDATE audit_events SET actor = 'someone' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            with database.engine.begin() as connection:
                connection.execute(text(statement))
    assert _verify(database) == (2, None)


def test_audit_changed_row_is_found_at_its_position(database: Database) -> None:
    _append(database, 6)
    _tamper(database, "UPDATE audit_events SET actor = 'ke.gian' WHERE seq = 4")
    count, broken = _verify(database)
    assert (count, broken.seq) == (3, 4)
    assert "changed" in broken.reason


def test_audit_deleted_row_is_found_at_its_position(database: Database) -> None:
    _append(database, 6)
    _tamper(database, "DELETE FROM audit_events WHERE seq = 3")
    count, broken = _verify(database)
    assert (count, broken.seq) == (2, 3)
    assert "missing" in broken.reason


def test_audit_deleted_last_row_is_found(database: Database) -> None:
    _append(database, 4)
    _tamper(database, "DELETE FROM audit_events WHERE seq = 4")
    count, broken = _verify(database)
    assert (count, broken.seq) == (3, 4)


def test_audit_inserted_row_is_found_at_its_position(database: Database) -> None:
    """An event forged into the middle (later rows renumbered) breaks the chain where it sits."""
    _append(database, 5)
    with database.sessions() as session:
        prev = session.execute(text("SELECT hash FROM audit_events WHERE seq = 2")).scalar_one()
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    forged = event_hash(
        seq=3,
        occurred_at=moment,
        actor="ke.gian",
        agency="CSDTHN",
        action="case.read",
        object_type="case",
        object_code="X",
        details="{}",
        prev_hash=prev,
    )
    _tamper(
        database,
        "UPDATE audit_events SET seq = seq + 100 WHERE seq >= 3",
        "UPDATE audit_events SET seq = seq - 99 WHERE seq >= 103",
        "INSERT INTO audit_events (seq, occurred_at, actor, agency, action, object_type, "
        f"object_code, details, prev_hash, hash) VALUES (3, '{moment.isoformat()}', 'ke.gian', "
        f"'CSDTHN', 'case.read', 'case', 'X', '{{}}', '{prev}', '{forged}')",
    )
    count, broken = _verify(database)
    assert (count, broken.seq) == (3, 4)  # the forged event chains; the next one does not
    assert "does not chain" in broken.reason


def test_audit_verify_command_names_the_first_bad_event(
    database: Database, tmp_path: object
) -> None:
    _append(database, 3)
    env = {"HOSO_DATABASE_URL": database.url, "HOSO_DATA_DIR": str(tmp_path), "PATH": ""}
    command = [sys.executable, "-m", "hoso.cli", "audit", "verify"]
    ok = subprocess.run(command, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "3 events verified" in ok.stdout
    _tamper(database, "UPDATE audit_events SET details = '{}' WHERE seq = 2")
    bad = subprocess.run(command, env=env, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "audit event 2" in bad.stdout
