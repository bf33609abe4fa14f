"""makers: profiles and the maker-only facts of their machines

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 04:24:53.908029

A maker's public profile (tied to their one-person micro-enterprise and workshop) and, per
machine of the workshop, what routing across owners needs. Two new tables: the previous release
runs beside them unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "maker_profiles",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("factory_id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=False),
        sa.Column("certificates", sa.JSON(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("status_reason", sa.String(length=500), nullable=True),
        sa.Column("status_changed_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status_changed_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_maker_profiles_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["factory_id"],
            ["factories.id"],
            name=op.f("fk_maker_profiles_factory_id_factories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_changed_by"],
            ["users.id"],
            name=op.f("fk_maker_profiles_status_changed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_maker_profiles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maker_profiles")),
        sa.UniqueConstraint("enterprise_id", name=op.f("uq_maker_profiles_enterprise_id")),
        sa.UniqueConstraint("factory_id", name=op.f("uq_maker_profiles_factory_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_maker_profiles_user_id")),
    )
    op.create_table(
        "maker_machines",
        sa.Column("machine_id", sa.String(length=32), nullable=False),
        sa.Column("maker_id", sa.String(length=32), nullable=False),
        sa.Column("material", sa.String(length=40), nullable=False),
        sa.Column("colour", sa.String(length=40), nullable=False),
        sa.Column("build_x_mm", sa.Float(), nullable=False),
        sa.Column("build_y_mm", sa.Float(), nullable=False),
        sa.Column("build_z_mm", sa.Float(), nullable=False),
        sa.Column("tolerance_mm", sa.Float(), nullable=False),
        sa.Column("price_per_cm3", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["machine_id"],
            ["machines.id"],
            name=op.f("fk_maker_machines_machine_id_machines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["maker_id"],
            ["maker_profiles.id"],
            name=op.f("fk_maker_machines_maker_id_maker_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("machine_id", name=op.f("pk_maker_machines")),
    )
    with op.batch_alter_table("maker_machines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maker_machines_maker_id"), ["maker_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("maker_machines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maker_machines_maker_id"))

    op.drop_table("maker_machines")
    op.drop_table("maker_profiles")
