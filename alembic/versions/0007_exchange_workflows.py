"""exchange workflows and per-node kit storage

Revision ID: 0007
Revises: 0006

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "exchange_workflows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", _TEXT(length=64), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", _TEXT(length=128), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("workflow_id", _TEXT(length=64), nullable=True),
        sa.Column("status", _TEXT(length=16), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("message", _TEXT(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("node_id", "idempotency_key"),
    )
    with op.batch_alter_table("exchange_workflows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_workflows_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_exchange_workflows_node_id"), ["node_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_exchange_workflows_workflow_id"), ["workflow_id"], unique=False
        )
    op.create_table(
        "exchange_workflow_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", _TEXT(length=64), nullable=False),
        sa.Column("workflow_id", _TEXT(length=64), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("status", _TEXT(length=16), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("message", _TEXT(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "workflow_id"),
    )
    with op.batch_alter_table("exchange_workflow_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_workflow_reports_member_id"), ["member_id"], unique=False
        )
    with op.batch_alter_table("exchange_nodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kits", _TEXT(length=16), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("exchange_nodes", schema=None) as batch_op:
        batch_op.drop_column("kits")
    with op.batch_alter_table("exchange_workflow_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_workflow_reports_member_id"))
    op.drop_table("exchange_workflow_reports")
    with op.batch_alter_table("exchange_workflows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_workflows_workflow_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_workflows_node_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_workflows_member_id"))
    op.drop_table("exchange_workflows")
