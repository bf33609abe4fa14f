"""machine secrets (argon2id) and the files operations are made from

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 19:44:08.086319

A machine with a secret can fetch the artifact of the operations it is commanded; its MQTT
username is ``<factory code>/<machine code>``. ``job_artifacts`` records each operation's file
once, with its hash, so every attempt is sent the same bytes. Both are additions: processes of
the previous release run beside this schema unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_artifacts",
        sa.Column("operation_id", sa.String(length=32), nullable=False),
        sa.Column(
            "store",
            sa.Enum("uploads", "artifacts", name="artifactstore", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name=op.f("fk_job_artifacts_operation_id_operations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("operation_id", name=op.f("pk_job_artifacts")),
    )
    with op.batch_alter_table("machines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_hash", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("machines", schema=None) as batch_op:
        batch_op.drop_column("secret_hash")

    op.drop_table("job_artifacts")
