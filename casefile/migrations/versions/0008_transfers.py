"""case-file transfers between agencies and the bytes received for them

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _moment(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("case_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_agency_code", sa.String(length=12), nullable=False),
        sa.Column("to_agency_code", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("inventory", sa.JSON(), nullable=True),
        sa.Column("inventory_sha256", sa.String(length=64), nullable=True),
        sa.Column("inventory_signature", sa.Text(), nullable=True),
        sa.Column("handover_document_code", sa.String(length=60), nullable=True),
        sa.Column("physical_items", sa.JSON(), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        _moment("started_at", nullable=False),
        _moment("sent_at"),
        _moment("received_at"),
        sa.Column("receipt", sa.JSON(), nullable=True),
        sa.Column("check_report", sa.JSON(), nullable=True),
        _moment("decided_at"),
        sa.Column("decided_by", sa.String(length=255), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("decision", sa.JSON(), nullable=True),
        _moment("warned_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
        sa.UniqueConstraint(
            "transfer_id", "direction", name=op.f("uq_transfers_transfer_id_direction")
        ),
    )
    for column in ("transfer_id", "case_code", "from_agency_code", "to_agency_code", "state"):
        op.create_index(op.f(f"ix_transfers_{column}"), "transfers", [column])
    op.create_table(
        "transfer_blobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.String(length=64), nullable=False),
        sa.Column("expected_sha256", sa.String(length=64), nullable=False),
        sa.Column("received_sha256", sa.String(length=64), nullable=False),
        _moment("received_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_blobs")),
        sa.UniqueConstraint(
            "transfer_id",
            "expected_sha256",
            name=op.f("uq_transfer_blobs_transfer_id_expected_sha256"),
        ),
    )
    op.create_index(op.f("ix_transfer_blobs_transfer_id"), "transfer_blobs", ["transfer_id"])


def downgrade() -> None:
    op.drop_table("transfer_blobs")
    op.drop_table("transfers")
