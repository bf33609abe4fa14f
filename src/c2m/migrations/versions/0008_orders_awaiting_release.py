"""orders: pre-orders awaiting their batch's release are marked on the order

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awaits_release", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(
        "UPDATE orders SET awaits_release = TRUE WHERE id IN ("
        " SELECT p.order_id FROM circle_preorders p"
        " JOIN circle_batches b ON b.id = p.batch_id WHERE b.status <> 'released')"
    )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("awaits_release")
