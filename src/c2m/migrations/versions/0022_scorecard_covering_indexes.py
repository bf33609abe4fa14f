"""indexes the scorecard reads a year from: fewer searches per order

Revision ID: 0022_scorecard_indexes
Revises: 0021_memberships_created_at
Create Date: 2026-12-07 11:20:00.000000

The scorecard recomputes a year from the orders, their lines and the ledger. Each index here
replaces one with the same leading columns and adds what the scorecard reads after them, so a
row is found and read in one search instead of a search and a table read:
``orders (customer_id, created_at)`` finds a customer's orders before a span without reading
their later ones, ``order_lines (order_id, product_id, position, quantity, unit_price)`` gives
each order's products and their value, an index by template lists the designed lines, and the
ledger's ``transactions (created_at, kind, reference, id)`` and ``postings (account,
transaction_id, amount)`` give a span's payments and each one's line on an account. The new
indexes are built before the old ones go, so processes of the previous release run beside them
unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0022_scorecard_indexes"
down_revision: str | None = "0021_memberships_created_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, table, columns) of each new index, and the one it replaces
REPLACED = (
    (
        ("ix_orders_customer_id_created_at", "orders", ["customer_id", "created_at"]),
        ("ix_orders_customer_id", "orders", ["customer_id"]),
    ),
    (
        (
            "ix_order_lines_order_id_product",
            "order_lines",
            ["order_id", "product_id", "position", "quantity", "unit_price"],
        ),
        ("ix_order_lines_order_id", "order_lines", ["order_id"]),
    ),
    (
        (
            "ix_ledger_transactions_created_at_kind",
            "ledger_transactions",
            ["created_at", "kind", "reference", "id"],
        ),
        ("ix_ledger_transactions_created_at", "ledger_transactions", ["created_at"]),
    ),
    (
        (
            "ix_ledger_postings_account_transaction_amount",
            "ledger_postings",
            ["account", "transaction_id", "amount"],
        ),
        (
            "ix_ledger_postings_account_transaction_id",
            "ledger_postings",
            ["account", "transaction_id"],
        ),
    ),
)


def upgrade() -> None:
    for (name, table, columns), (old, _, _) in REPLACED:
        op.create_index(name, table, columns)
        op.drop_index(old, table_name=table)
    op.create_index("ix_order_lines_designed", "order_lines", ["template_id", "order_id"])


def downgrade() -> None:
    op.drop_index("ix_order_lines_designed", table_name="order_lines")
    for (name, table, _), (old, _, columns) in REPLACED:
        op.create_index(old, table, columns)
        op.drop_index(name, table_name=table)
