"""factory leases with fencing epochs; live timeline events announced on commit (PostgreSQL)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 14:30:00.000000

Plans and job attempts carry the epoch of the planner lease they were made under. A trigger
refuses one whose epoch is not the factory's current epoch; on PostgreSQL it takes a share lock
on the lease row, so a takeover (which updates that row) cannot commit between the check and the
write. A factory without a lease row accepts writes without an epoch (tests, tools).

On PostgreSQL every committed timeline event is also sent with ``pg_notify`` on the channel
``c2m_timeline``, so each web process can forward it to its live subscribers at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STALE = "c2m: stale planner lease"

PG_FENCE = """
CREATE FUNCTION c2m_fence_{table}() RETURNS trigger AS $$
DECLARE current_epoch BIGINT;
BEGIN
  SELECT l.epoch INTO current_epoch FROM factory_leases l {join}
  WHERE {match} FOR SHARE OF l;
  IF NEW.epoch IS DISTINCT FROM current_epoch THEN
    RAISE EXCEPTION '{stale}: epoch % is not the current epoch %', NEW.epoch, current_epoch;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER fence_{table} BEFORE INSERT ON {table}
  FOR EACH ROW EXECUTE FUNCTION c2m_fence_{table}();
"""

SQLITE_FENCE = """
CREATE TRIGGER fence_{table} BEFORE INSERT ON {table}
WHEN NEW.epoch IS NOT (SELECT l.epoch FROM factory_leases l {join} WHERE {match})
BEGIN SELECT RAISE(ABORT, '{stale}'); END;
"""

FENCED = {
    "plans": ("", "l.factory_id = NEW.factory_id"),
    "job_attempts": (
        "JOIN machines m ON m.factory_id = l.factory_id",
        "m.id = NEW.machine_id",
    ),
}

PG_NOTIFY = """
CREATE FUNCTION c2m_notify_timeline() RETURNS trigger AS $$
DECLARE body TEXT;
BEGIN
  body := json_build_object('topic', NEW.topic, 'id', NEW.id, 'payload', NEW.payload)::text;
  IF octet_length(body) > 7900 THEN  -- NOTIFY carries at most 8,000 bytes: say "catch up"
    body := json_build_object('topic', NEW.topic, 'id', NEW.id, 'seq', NEW.payload->'seq')::text;
  END IF;
  PERFORM pg_notify('c2m_timeline', body);
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER outbox_notify_timeline AFTER INSERT ON outbox
  FOR EACH ROW WHEN (NEW.topic LIKE 'orders.%') EXECUTE FUNCTION c2m_notify_timeline();
"""


def upgrade() -> None:
    op.create_table(
        "factory_leases",
        sa.Column("factory_id", sa.String(length=32), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=True),
        sa.Column("expires_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["factory_id"],
            ["factories.id"],
            name=op.f("fk_factory_leases_factory_id_factories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("factory_id", name=op.f("pk_factory_leases")),
    )
    op.create_table(
        "factory_workers",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("seen_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factory_workers")),
    )
    for table in FENCED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("epoch", sa.BigInteger(), nullable=True))
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, (join, match) in FENCED.items():
        template = PG_FENCE if postgres else SQLITE_FENCE
        op.execute(template.format(table=table, join=join, match=match, stale=STALE))
    if postgres:
        op.execute(PG_NOTIFY)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP TRIGGER outbox_notify_timeline ON outbox")
        op.execute("DROP FUNCTION c2m_notify_timeline()")
    for table in FENCED:
        if postgres:
            op.execute(f"DROP TRIGGER fence_{table} ON {table}")
            op.execute(f"DROP FUNCTION c2m_fence_{table}()")
        else:
            op.execute(f"DROP TRIGGER fence_{table}")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("epoch")
    op.drop_table("factory_workers")
    op.drop_table("factory_leases")
