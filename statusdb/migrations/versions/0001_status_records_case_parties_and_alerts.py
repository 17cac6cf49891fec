"""status records, case parties and alerts

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_code", sa.String(length=40), nullable=False),
        sa.Column("agency_code", sa.String(length=12), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_parties")),
        sa.UniqueConstraint(
            "case_code", "agency_code", name=op.f("uq_case_parties_case_code_agency_code")
        ),
    )
    with op.batch_alter_table("case_parties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_parties_agency_code"), ["agency_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_case_parties_case_code"), ["case_code"], unique=False)

    op.create_table(
        "status_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("agency_code", sa.String(length=12), nullable=False),
        sa.Column("case_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("subject_code", sa.String(length=60), nullable=True),
        sa.Column("party_code", sa.String(length=60), nullable=True),
        sa.Column("counterpart_agency_code", sa.String(length=12), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_records")),
        sa.UniqueConstraint("event_id", name=op.f("uq_status_records_event_id")),
    )
    with op.batch_alter_table("status_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_status_records_case_code"), ["case_code"], unique=False
        )

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=12), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"], ["status_records.id"], name=op.f("fk_alerts_record_id_status_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint(
            "agency_code", "record_id", name=op.f("uq_alerts_agency_code_record_id")
        ),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_agency_code"), ["agency_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_record_id"), ["record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_record_id"))
        batch_op.drop_index(batch_op.f("ix_alerts_agency_code"))

    op.drop_table("alerts")
    with op.batch_alter_table("status_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_records_case_code"))

    op.drop_table("status_records")
    with op.batch_alter_table("case_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_parties_case_code"))
        batch_op.drop_index(batch_op.f("ix_case_parties_agency_code"))

    op.drop_table("case_parties")
