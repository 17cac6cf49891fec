"""The common database's engine and its own Alembic migrations (version table
``statusdb_alembic_version``, so it never mixes with a case-file database's)."""

from pathlib import Path

from sqlalchemy import Engine

from casefile import db
from casefile.db import make_engine, make_session_factory, transaction

__all__ = ["VERSION_TABLE", "make_engine", "make_session_factory", "migrate", "transaction"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSION_TABLE = "statusdb_alembic_version"


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the common database's schema to ``revision``."""
    db.migrate(engine, revision, migrations=MIGRATIONS_DIR)
