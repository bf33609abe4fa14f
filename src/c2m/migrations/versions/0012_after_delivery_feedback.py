"""after-delivery feedback

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 22:55:58.250655

One answer per delivered order: how likely the customer is to recommend its maker (0-10) and
why, and an index on the timeline's (type, at) so the scorecard reads a month's deliveries
without a full scan. A new table and an index: the previous release runs beside them unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 0 AND 10", name=op.f("ck_feedback_score_0_to_10")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_feedback_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_feedback_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_feedback_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("order_id", name=op.f("uq_feedback_order_id")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_feedback_enterprise_id"), ["enterprise_id"], unique=False
        )
    op.create_index("ix_order_events_type_at", "order_events", ["type", "at"])


def downgrade() -> None:
    op.drop_index("ix_order_events_type_at", table_name="order_events")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_created_at"))

    op.drop_table("feedback")
