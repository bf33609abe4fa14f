"""scoped tokens: scopes, expiry and service clients (OAuth 2 client credentials)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 05:00:00.000000

Tokens that exist keep every scope (``scopes`` NULL) and never expire, as before; only the new
columns and the new table are added, so processes of the previous release run beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_clients",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=400), nullable=False),
        sa.Column("created_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_service_clients_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_service_clients_client_id")),
    )
    op.create_index(op.f("ix_service_clients_user_id"), "service_clients", ["user_id"])
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scopes", sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column("client_id", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("expires_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_api_tokens_client_id"), ["client_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_api_tokens_client_id_service_clients"),
            "service_clients",
            ["client_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_api_tokens_client_id_service_clients"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_api_tokens_client_id"))
        batch_op.drop_column("expires_at")
        batch_op.drop_column("client_id")
        batch_op.drop_column("scopes")
    op.drop_index(op.f("ix_service_clients_user_id"), table_name="service_clients")
    op.drop_table("service_clients")
