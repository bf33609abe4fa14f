"""ledger postings found by account: statements and earnings read one account's postings

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 23:30:00.000000

A micro-enterprise's statement starts from the postings on its account, a co-designer's earnings
from those on their royalty account; without an index both read every posting. The index covers
the transaction id too, so finding the transactions that touch an account reads the index only.
An addition: processes of the previous release run beside it unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_ledger_postings_account_transaction_id"),
        "ledger_postings",
        ["account", "transaction_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ledger_postings_account_transaction_id"), table_name="ledger_postings")
