"""the rate budget keeps its latest decision, so one upsert applies and returns it

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rate_budgets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_wait", sa.Float(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(
            sa.Column("last_probe", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("rate_budgets", schema=None) as batch_op:
        batch_op.drop_column("last_probe")
        batch_op.drop_column("last_wait")
