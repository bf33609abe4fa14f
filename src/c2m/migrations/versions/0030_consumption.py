"""consumption: what a machine reports it used on a job attempt

Revision ID: 0030_consumption
Revises: 0029_materials
Create Date: 2026-12-08 03:40:00.000000

A nullable column; the previous release ignores it and can run beside this one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_consumption"
down_revision: str | None = "0029_materials"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("job_attempts", sa.Column("consumed", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_attempts") as attempts:
        attempts.drop_column("consumed")
