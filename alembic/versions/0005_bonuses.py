"""the bonus and money ledger (accruals, reversals, money operations) and the deals to re-read

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bonus_dirty_deals",
        sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "deal_id"),
    )
    op.create_table(
        "bonus_accruals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("office", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("amount_kopecks", sa.BigInteger(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "deal_id", "sequence"),
        sa.UniqueConstraint("member_id", "idempotency_key"),
    )
    with op.batch_alter_table("bonus_accruals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bonus_accruals_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bonus_accruals_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "money_operations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("account_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("amount_kopecks", sa.BigInteger(), nullable=False),
        sa.Column("balance_delta_kopecks", sa.BigInteger(), nullable=False),
        sa.Column("paid_delta_kopecks", sa.BigInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "idempotency_key"),
    )
    with op.batch_alter_table("money_operations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_money_operations_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_money_operations_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_money_operations_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "bonus_reversals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("accrual_id", sa.Integer(), nullable=False),
        sa.Column("amount_kopecks", sa.BigInteger(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["accrual_id"],
            ["bonus_accruals.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("accrual_id"),
    )
    with op.batch_alter_table("bonus_reversals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bonus_reversals_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bonus_reversals_member_id"), ["member_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("bonus_dirty_deals")
    with op.batch_alter_table("bonus_reversals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bonus_reversals_member_id"))
        batch_op.drop_index(batch_op.f("ix_bonus_reversals_created_at"))

    op.drop_table("bonus_reversals")
    with op.batch_alter_table("money_operations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_money_operations_member_id"))
        batch_op.drop_index(batch_op.f("ix_money_operations_deal_id"))
        batch_op.drop_index(batch_op.f("ix_money_operations_created_at"))

    op.drop_table("money_operations")
    with op.batch_alter_table("bonus_accruals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bonus_accruals_member_id"))
        batch_op.drop_index(batch_op.f("ix_bonus_accruals_created_at"))

    op.drop_table("bonus_accruals")
