"""users: market-surveillance authorities, who see every unit's full passport

Revision ID: 0027_authorities
Revises: 0026_batch_work_orders
Create Date: 2026-12-07 16:40:00.000000

One column with a default: the previous release ignores it and can run beside this one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027_authorities"
down_revision: str | None = "0026_batch_work_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_authority", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("is_authority")
