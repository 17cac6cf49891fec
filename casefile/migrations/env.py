"""Alembic environment: always run with a connection handed over by casefile.db.migrate."""

from alembic import context

from casefile.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `hoso migrate` (casefile.db.migrate)")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
