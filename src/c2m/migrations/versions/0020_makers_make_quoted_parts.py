"""makers make quoted parts: a quoting service may route its parts to makers, an order says it
was, and a routed job names the order line it makes

Revision ID: 0020_maker_parts
Revises: 0019_offers
Create Date: 2026-12-07 10:30:00.000000

Columns with defaults only: the previous release runs beside them unchanged (it plans every
order in its micro-enterprise's factory, as before).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_maker_parts"
down_revision: str | None = "0019_offers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quoting_services", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("to_makers", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("to_makers", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("routed_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("line_id", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint("uq_routed_jobs_line_id", ["line_id"])
        batch_op.create_foreign_key(
            "fk_routed_jobs_line_id_order_lines", "order_lines", ["line_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("routed_jobs", schema=None) as batch_op:
        batch_op.drop_constraint("fk_routed_jobs_line_id_order_lines", type_="foreignkey")
        batch_op.drop_constraint("uq_routed_jobs_line_id", type_="unique")
        batch_op.drop_column("line_id")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("to_makers")
    with op.batch_alter_table("quoting_services", schema=None) as batch_op:
        batch_op.drop_column("to_makers")
