"""issuance: signatures, confirmations, recipients, steps

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "step_results",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_step_results")),
    )
    op.create_table(
        "document_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=32), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("seal", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_confirmations_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_document_confirmations_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_confirmations")),
        sa.UniqueConstraint(
            "document_id", "party_id", name=op.f("uq_document_confirmations_document_id_party_id")
        ),
    )
    with op.batch_alter_table("document_confirmations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_confirmations_document_id"), ["document_id"], unique=False
        )

    op.create_table(
        "document_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_recipients_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_document_recipients_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_recipients")),
        sa.UniqueConstraint(
            "document_id", "party_id", name=op.f("uq_document_recipients_document_id_party_id")
        ),
    )
    with op.batch_alter_table("document_recipients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_recipients_document_id"), ["document_id"], unique=False
        )

    op.create_table(
        "document_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("field_name", sa.String(length=64), nullable=False),
        sa.Column("signer_name", sa.String(length=255), nullable=False),
        sa.Column("certificate_serial", sa.String(length=80), nullable=False),
        sa.Column("certificate_issuer", sa.String(length=500), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_signatures_document_id_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_signatures")),
    )
    with op.batch_alter_table("document_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_signatures_document_id"), ["document_id"], unique=False
        )

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("workflow_id", sa.String(length=200), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signing_key", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("signing_key")

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("workflow_id")
        batch_op.drop_column("registered_at")

    with op.batch_alter_table("document_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_signatures_document_id"))

    op.drop_table("document_signatures")
    with op.batch_alter_table("document_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_recipients_document_id"))

    op.drop_table("document_recipients")
    with op.batch_alter_table("document_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_confirmations_document_id"))

    op.drop_table("document_confirmations")
    op.drop_table("step_results")
