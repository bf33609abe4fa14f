"""batch work orders: a work order makes pieces for one or more order lines (a released
pre-order batch is one work order), listed in work_order_lines

Revision ID: 0026_batch_work_orders
Revises: 0025_outgoing_notifications
Create Date: 2026-12-07 17:00:00.000000

A new table, filled with each existing work order's one line, and a column with a default: the
previous release runs beside them, reading ``work_orders.order_id`` and ``line_id``, which this
release still writes (the first line's). Its planner knows only one order per work order, so
the other pre-orders of a batch released while one of its workers still leads a factory would
be opened again one by one there: finish restarting the workers before batches are due.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_batch_work_orders"
down_revision: str | None = "0025_outgoing_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "work_order_lines",
        sa.Column("line_id", sa.String(length=32), nullable=False),
        sa.Column("work_order_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"], ["order_lines.id"], name=op.f("fk_work_order_lines_line_id_order_lines")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_work_order_lines_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_work_order_lines_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint("line_id", name=op.f("pk_work_order_lines")),
    )
    op.create_index(
        op.f("ix_work_order_lines_order_id"), "work_order_lines", ["order_id"], unique=False
    )
    op.create_index(
        op.f("ix_work_order_lines_work_order_id"),
        "work_order_lines",
        ["work_order_id"],
        unique=False,
    )
    op.execute(
        "INSERT INTO work_order_lines (line_id, work_order_id, order_id, position, quantity) "
        "SELECT line_id, id, order_id, 0, quantity FROM work_orders"
    )
    # Added in place (no batch copy of the table on SQLite, whose rows others reference).
    op.add_column(
        "work_orders",
        sa.Column("awaits_planner", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_index(
        op.f("ix_work_orders_awaits_planner"), "work_orders", ["awaits_planner"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_work_orders_awaits_planner"), table_name="work_orders")
    op.drop_column("work_orders", "awaits_planner")
    op.drop_index(op.f("ix_work_order_lines_work_order_id"), table_name="work_order_lines")
    op.drop_index(op.f("ix_work_order_lines_order_id"), table_name="work_order_lines")
    op.drop_table("work_order_lines")
