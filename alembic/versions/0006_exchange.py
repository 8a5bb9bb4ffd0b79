"""exchange gateway

Revision ID: 0006
Revises: 0005

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("node_id", "kind", "external_id"),
    )
    with op.batch_alter_table("exchange_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_documents_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_exchange_documents_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "exchange_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("door", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("operation", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("exchange_feeds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_feeds_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_exchange_feeds_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exchange_feeds_node_id"), ["node_id"], unique=False)

    op.create_table(
        "exchange_nodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("deal_category_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("default_user_id", sa.Integer(), nullable=True),
        sa.Column("cutoff", sa.Date(), nullable=True),
        sa.Column("allow_create_products", sa.Boolean(), nullable=False),
        sa.Column("dedupe_rule", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("property_map", sa.JSON(), nullable=False),
        sa.Column("push_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("sms_templates", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("login"),
        sa.UniqueConstraint("member_id", "name"),
    )
    with op.batch_alter_table("exchange_nodes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_nodes_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "exchange_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("dedupe_key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("origin_node_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("applied_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "dedupe_key"),
    )
    with op.batch_alter_table("exchange_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_orders_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_exchange_orders_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "exchange_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("exchange_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_outbox_acked_at"), ["acked_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_exchange_outbox_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exchange_outbox_node_id"), ["node_id"], unique=False)

    op.create_table(
        "exchange_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("cookie_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("offered_up_to", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cookie_hash"),
    )
    with op.batch_alter_table("exchange_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_sessions_node_id"), ["node_id"], unique=False)

    op.create_table(
        "exchange_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("exchange_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_uploads_node_id"), ["node_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("exchange_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_uploads_node_id"))

    op.drop_table("exchange_uploads")
    with op.batch_alter_table("exchange_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_sessions_node_id"))

    op.drop_table("exchange_sessions")
    with op.batch_alter_table("exchange_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_outbox_node_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_outbox_member_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_outbox_acked_at"))

    op.drop_table("exchange_outbox")
    with op.batch_alter_table("exchange_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_orders_member_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_orders_deal_id"))

    op.drop_table("exchange_orders")
    with op.batch_alter_table("exchange_nodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_nodes_member_id"))

    op.drop_table("exchange_nodes")
    with op.batch_alter_table("exchange_feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_feeds_node_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_feeds_member_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_feeds_created_at"))

    op.drop_table("exchange_feeds")
    with op.batch_alter_table("exchange_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_documents_order_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_documents_member_id"))

    op.drop_table("exchange_documents")
