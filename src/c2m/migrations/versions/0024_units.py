"""units: one row per piece a work order makes, with its serial

Revision ID: 0024_units
Revises: 0023_push_subscriptions
Create Date: 2026-12-07 15:00:00.000000

A new table only; the previous release ignores it and can run beside this one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0024_units"
down_revision: str | None = "0023_push_subscriptions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("work_order_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("line_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"], ["work_orders.id"], name=op.f("fk_units_work_order_id_work_orders")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_units_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["line_id"], ["order_lines.id"], name=op.f("fk_units_line_id_order_lines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("serial", name=op.f("uq_units_serial")),
        sa.UniqueConstraint("work_order_id", "number", name=op.f("uq_units_work_order_id")),
    )
    op.create_index(op.f("ix_units_order_id"), "units", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_units_order_id"), table_name="units")
    op.drop_table("units")
