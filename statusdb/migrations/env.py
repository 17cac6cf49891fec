"""Alembic environment of the common database: run through statusdb.db.migrate."""

from alembic import context

from statusdb.db import VERSION_TABLE
from statusdb.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through statusdb.db.migrate (python -m statusdb does)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    version_table=VERSION_TABLE,
)
with context.begin_transaction():
    context.run_migrations()
