"""status outbox (status changes waiting for the common database, Art. 18(4))

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("agency_code", sa.String(length=12), nullable=False),
        sa.Column("case_code", sa.String(length=40), nullable=False),
        sa.Column("subject_code", sa.String(length=60), nullable=True),
        sa.Column("party_code", sa.String(length=60), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("counterpart_agency_code", sa.String(length=12), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_status_outbox_event_id")),
    )
    with op.batch_alter_table("status_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_outbox_case_code"), ["case_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_status_outbox_sent_at"), ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("status_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_outbox_sent_at"))
        batch_op.drop_index(batch_op.f("ix_status_outbox_case_code"))

    op.drop_table("status_outbox")
