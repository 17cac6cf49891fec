"""participant access: participants' accounts, counsel links, document shares

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("national_id", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("e_account", sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_national_id"), ["national_id"])
        batch_op.create_unique_constraint(batch_op.f("uq_users_e_account"), ["e_account"])

    op.create_table(
        "counsel_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("counsel_user_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.String(length=32), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unlinked_by_id", sa.Integer(), nullable=True),
        sa.Column("unlinked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["counsel_user_id"], ["users.id"], name=op.f("fk_counsel_links_counsel_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["linked_by_id"], ["users.id"], name=op.f("fk_counsel_links_linked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_counsel_links_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["unlinked_by_id"], ["users.id"], name=op.f("fk_counsel_links_unlinked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counsel_links")),
        sa.UniqueConstraint(
            "party_id", "counsel_user_id", name=op.f("uq_counsel_links_party_id_counsel_user_id")
        ),
    )
    with op.batch_alter_table("counsel_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_counsel_links_counsel_user_id"), ["counsel_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_counsel_links_party_id"), ["party_id"], unique=False)

    op.create_table(
        "document_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("shared_by_id", sa.Integer(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unshared_by_id", sa.Integer(), nullable=True),
        sa.Column("unshared_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_shares_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_document_shares_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["shared_by_id"], ["users.id"], name=op.f("fk_document_shares_shared_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["unshared_by_id"], ["users.id"], name=op.f("fk_document_shares_unshared_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_shares")),
        sa.UniqueConstraint(
            "document_id", "party_id", name=op.f("uq_document_shares_document_id_party_id")
        ),
    )
    with op.batch_alter_table("document_shares", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_shares_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_document_shares_party_id"), ["party_id"], unique=False)

    # the participants' own parties are found by national ID or account
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parties_national_id"), ["national_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_parties_e_account"), ["e_account"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parties_e_account"))
        batch_op.drop_index(batch_op.f("ix_parties_national_id"))

    with op.batch_alter_table("document_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_shares_party_id"))
        batch_op.drop_index(batch_op.f("ix_document_shares_document_id"))
    op.drop_table("document_shares")

    with op.batch_alter_table("counsel_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_counsel_links_party_id"))
        batch_op.drop_index(batch_op.f("ix_counsel_links_counsel_user_id"))
    op.drop_table("counsel_links")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_e_account"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_users_national_id"), type_="unique")
        batch_op.drop_column("e_account")
        batch_op.drop_column("national_id")
