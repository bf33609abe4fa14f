"""outgoing notifications: pushes and e-mails waiting to be sent, so a worker crash loses none

Revision ID: 0025_outgoing_notifications
Revises: 0024_units
Create Date: 2026-12-07 15:10:00.000000

A new table only; the previous release ignores it (and keeps its notifications in memory) and
can run beside this one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0025_outgoing_notifications"
down_revision: str | None = "0024_units"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outgoing_notifications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("push", "mail", name="channel", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("due_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_notifications")),
    )
    op.create_index(
        "ix_outgoing_notifications_due",
        "outgoing_notifications",
        ["channel", "due_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_outgoing_notifications_due", table_name="outgoing_notifications")
    op.drop_table("outgoing_notifications")
