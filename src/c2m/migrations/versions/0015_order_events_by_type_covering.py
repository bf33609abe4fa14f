"""order events by type, covering: the scorecard reads a year of deliveries and payments from
the index alone

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 02:00:00.000000

The scorecard recomputes a year from the timeline: the deliveries of the span (type, at) with
their orders, then when each was paid (type, order). ``(type, at)`` becomes
``(type, at, order_id)``, which answers the first without reading the table, and
``(type, order_id, at)`` answers the second with one search per order. The new index is built
before the old one goes, so processes of the previous release run beside it unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_order_events_type_at_order_id", "order_events", ["type", "at", "order_id"])
    op.create_index("ix_order_events_type_order_id_at", "order_events", ["type", "order_id", "at"])
    op.drop_index("ix_order_events_type_at", table_name="order_events")


def downgrade() -> None:
    op.create_index("ix_order_events_type_at", "order_events", ["type", "at"])
    op.drop_index("ix_order_events_type_order_id_at", table_name="order_events")
    op.drop_index("ix_order_events_type_at_order_id", table_name="order_events")
