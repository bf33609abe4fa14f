"""consumption: what a machine reports it used on a job attempt; when the last plan expected an
operation's material

Revision ID: 0030_consumption
Revises: 0029_materials
Create Date: 2026-12-08 03:40:00.000000

Nullable columns; the previous release ignores them and can run beside this one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0030_consumption"
down_revision: str | None = "0029_materials"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("job_attempts", sa.Column("consumed", sa.JSON(), nullable=True))
    op.add_column(
        "operations",
        sa.Column("material_ready", c2m.kernel.db.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("operations") as operations:
        operations.drop_column("material_ready")
    with op.batch_alter_table("job_attempts") as attempts:
        attempts.drop_column("consumed")
