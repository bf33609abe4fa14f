"""materials, stock lots per factory, reservations of work orders; order lines keep their bill
of materials

Revision ID: 0029_materials
Revises: 0028_quality_records
Create Date: 2026-12-07 23:40:00.000000

New tables and a nullable column; the previous release ignores them and can run beside this
one. Lines ordered before keep no bill, so their work reserves no material.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0029_materials"
down_revision: str | None = "0028_quality_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = c2m.kernel.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("order_lines", sa.Column("bill", sa.JSON(), nullable=True))
    op.create_table(
        "materials",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("reorder_point", sa.BigInteger(), nullable=False),
        sa.Column("reorder_quantity", sa.BigInteger(), nullable=False),
        sa.Column("supplier", sa.String(length=120), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_materials_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_materials")),
        sa.UniqueConstraint("enterprise_id", "key", name=op.f("uq_materials_enterprise_id")),
    )
    op.create_table(
        "stock_lots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("material_id", sa.String(length=32), nullable=False),
        sa.Column("factory_id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("expected_at", WHEN, nullable=False),
        sa.Column("arrived_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.CheckConstraint("remaining >= 0", name=op.f("ck_stock_lots_remaining_not_negative")),
        sa.ForeignKeyConstraint(
            ["factory_id"], ["factories.id"], name=op.f("fk_stock_lots_factory_id_factories")
        ),
        sa.ForeignKeyConstraint(
            ["material_id"], ["materials.id"], name=op.f("fk_stock_lots_material_id_materials")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_lots")),
        sa.UniqueConstraint(
            "factory_id", "material_id", "code", name=op.f("uq_stock_lots_factory_id")
        ),
    )
    op.create_index(op.f("ix_stock_lots_factory_id"), "stock_lots", ["factory_id"])
    op.create_index(op.f("ix_stock_lots_material_id"), "stock_lots", ["material_id"])
    op.create_table(
        "stock_reservations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("material_id", sa.String(length=32), nullable=False),
        sa.Column("factory_id", sa.String(length=32), nullable=False),
        sa.Column("work_order_id", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=60), nullable=False),
        sa.Column("lot_id", sa.String(length=32), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("settled_at", WHEN, nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_stock_reservations_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["factory_id"],
            ["factories.id"],
            name=op.f("fk_stock_reservations_factory_id_factories"),
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["stock_lots.id"], name=op.f("fk_stock_reservations_lot_id_stock_lots")
        ),
        sa.ForeignKeyConstraint(
            ["material_id"],
            ["materials.id"],
            name=op.f("fk_stock_reservations_material_id_materials"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_reservations")),
    )
    op.create_index(op.f("ix_stock_reservations_lot_id"), "stock_reservations", ["lot_id"])
    op.create_index(
        op.f("ix_stock_reservations_work_order_id"), "stock_reservations", ["work_order_id"]
    )


def downgrade() -> None:
    op.drop_table("stock_reservations")
    op.drop_table("stock_lots")
    op.drop_table("materials")
    with op.batch_alter_table("order_lines") as lines:
        lines.drop_column("bill")
