"""enterprise applications and invitations

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 22:37:34.071285

Anyone may apply to open a micro-enterprise; the platform owner approves (which creates the
enterprise and its owner's membership) or declines. Owners invite members by links whose secret
is stored only as a hash. Both are new tables: the previous release runs beside them unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import c2m.kernel.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enterprise_applications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("applicant_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("pitch", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "APPROVED",
                "DECLINED",
                name="applicationstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["users.id"],
            name=op.f("fk_enterprise_applications_applicant_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_enterprise_applications_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_enterprise_applications_enterprise_id_enterprises"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_applications")),
    )
    with op.batch_alter_table("enterprise_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_applications_applicant_id"), ["applicant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enterprise_applications_status"), ["status"], unique=False
        )

    op.create_table(
        "enterprise_invitations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum("MEMBER", "OWNER", name="memberrole", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_by", sa.String(length=32), nullable=True),
        sa.Column("accepted_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", c2m.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["accepted_by"],
            ["users.id"],
            name=op.f("fk_enterprise_invitations_accepted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_enterprise_invitations_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_enterprise_invitations_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_enterprise_invitations_token_hash")),
    )
    with op.batch_alter_table("enterprise_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_invitations_enterprise_id"), ["enterprise_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("enterprise_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_invitations_enterprise_id"))

    op.drop_table("enterprise_invitations")
    with op.batch_alter_table("enterprise_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_applications_status"))
        batch_op.drop_index(batch_op.f("ix_enterprise_applications_applicant_id"))

    op.drop_table("enterprise_applications")
