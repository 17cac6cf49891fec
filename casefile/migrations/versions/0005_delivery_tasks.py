"""delivery tasks (officers' paper delivery and posting tasks)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=12), nullable=False),
        sa.Column("via", sa.String(length=32), nullable=False),
        sa.Column("via_agency_code", sa.String(length=12), nullable=True),
        sa.Column("paper_copy_sha256", sa.String(length=64), nullable=True),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("legal_ground", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_delivery_tasks_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_delivery_tasks_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_tasks")),
        sa.UniqueConstraint("workflow_id", "kind", name=op.f("uq_delivery_tasks_workflow_id_kind")),
    )
    with op.batch_alter_table("delivery_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_tasks_agency_code"), ["agency_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delivery_tasks_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delivery_tasks_workflow_id"), ["workflow_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_tasks_workflow_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_tasks_document_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_tasks_agency_code"))

    op.drop_table("delivery_tasks")
