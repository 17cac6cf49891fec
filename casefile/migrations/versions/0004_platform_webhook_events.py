"""platform webhook events

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "platform_events",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("document_code", sa.String(length=80), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_platform_events")),
    )
    with op.batch_alter_table("platform_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_platform_events_document_code"), ["document_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_platform_events_subject_id"), ["subject_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("platform_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_platform_events_subject_id"))
        batch_op.drop_index(batch_op.f("ix_platform_events_document_code"))

    op.drop_table("platform_events")
