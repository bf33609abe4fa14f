"""memberships keep when they began, so the members list pages by a key that never changes

Revision ID: 0021_memberships_created_at
Revises: 0020_maker_parts
Create Date: 2026-12-07 11:00:00.000000

A membership that existed before takes its enterprise's opening time, the earliest it can have
begun. Added nullable, filled, then made required: SQLite cannot add a column whose default is
the time of day. The previous release writes no time and so cannot run beside this one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0021_memberships_created_at"
down_revision: str | None = "0020_maker_parts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("created_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE memberships SET created_at = "
        "(SELECT enterprises.created_at FROM enterprises "
        "WHERE enterprises.id = memberships.enterprise_id)"
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.alter_column(
            "created_at", existing_type=c2m.kernel.db.UTCDateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("created_at")
