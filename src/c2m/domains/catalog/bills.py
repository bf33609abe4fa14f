"""Bills of materials as an order line keeps them (JSON beside its routing): what the line's
pieces take from stock, exact to thousandths of each material's unit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from c2m.engines.configurator import Requirement


def bill_json(bill: Iterable[Requirement]) -> list[dict[str, Any]]:
    """Quantities as decimal strings, so no float rounds them on the way."""
    return [
        {
            "id": r.id,
            "material": r.material,
            "name": r.name,
            "quantity": str(r.quantity),
            "unit": r.unit,
            "step": r.step,
        }
        for r in bill
    ]


def bill_of(
    rows: Sequence[dict[str, Any]] | None, share: Decimal = Decimal(1)
) -> list[Requirement]:
    """A kept bill, each quantity times ``share`` (a batch's work order makes more pieces than
    its first line), rounded to thousandths."""
    return [
        Requirement(
            str(row["id"]),
            str(row["material"]),
            str(row["name"]),
            (Decimal(str(row["quantity"])) * share).quantize(Decimal("0.001")),
            str(row["unit"]),
            None if row.get("step") is None else str(row["step"]),
        )
        for row in rows or ()
    ]
