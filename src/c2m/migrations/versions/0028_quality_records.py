"""quality records: what each inspection of a unit measured; measurements on job attempts;
each unit's energy, kept when its order ships

Revision ID: 0028_quality_records
Revises: 0027_authorities
Create Date: 2026-12-07 17:00:00.000000

A new table and nullable columns; the previous release ignores them and can run beside this one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0028_quality_records"
down_revision: str | None = "0027_authorities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("job_attempts", sa.Column("measurements", sa.JSON(), nullable=True))
    op.add_column("units", sa.Column("energy_kwh", sa.Float(), nullable=True))
    op.add_column(
        "units",
        sa.Column("footprint_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "quality_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.String(length=32), nullable=False),
        sa.Column("attempt_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=60), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("measurements", sa.JSON(), nullable=False),
        sa.Column("inspected_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_quality_records_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_records")),
        sa.UniqueConstraint("unit_id", "attempt_id", name=op.f("uq_quality_records_unit_id")),
    )


def downgrade() -> None:
    op.drop_table("quality_records")
    with op.batch_alter_table("units") as units:
        units.drop_column("footprint_at")
        units.drop_column("energy_kwh")
    with op.batch_alter_table("job_attempts") as attempts:
        attempts.drop_column("measurements")
