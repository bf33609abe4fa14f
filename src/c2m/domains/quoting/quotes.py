"""Instant quotes from an upload's analysis, and orders of accepted quotes.

Prices are worked out on the server from the stored analysis and the micro-enterprise's tables;
ship dates from the load of its capable machines (``CapacitySource``), never from a constant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from c2m.domains.catalog.bills import bill_json
from c2m.domains.catalog.models import Product
from c2m.domains.orders.placement import PreparedOrder, PricedLine, prepare_lines
from c2m.domains.planning.jobs import UPLOADED
from c2m.domains.platform.actor import Actor
from c2m.domains.quoting.models import Quote, UploadStatus
from c2m.domains.quoting.quoters import quoting_service
from c2m.domains.quoting.schemas import QuoteOrder, QuoteOut, QuoteRequest
from c2m.domains.quoting.tables import tables_of
from c2m.domains.quoting.uploads import analysis_of, load_upload
from c2m.engines import costing
from c2m.engines.configurator import Requirement
from c2m.engines.costing.leadtime import Capacity
from c2m.engines.costing.tables import Process
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import Conflict, InvalidInput, NotFound

#: Ship dates depend on the factory's load at the time of quoting.
VALID_FOR = timedelta(days=7)
CENTS = 100
CAPABILITY = {
    Process.FDM: "fdm-print",
    Process.SLA: "sla-print",
    Process.SLS: "sls-print",
    Process.CNC: "cnc-mill",
}
INSPECT_MINUTES = (5, 1)  # per order line, per part
PACK_MINUTES = (5, 0.5)

#: Per process, when each capable machine of the micro-enterprise is free of planned work.
CapacitySource = Callable[[Session, str, datetime], Capacity]


def create_quote(
    session: Session,
    actor: Actor,
    data: QuoteRequest,
    capacity: CapacitySource,
    now: datetime | None = None,
) -> Quote:
    now = now or utcnow()
    upload = load_upload(session, actor, data.upload_id)
    if upload.status is not UploadStatus.ANALYSED:
        raise InvalidInput(f"{upload.filename} cannot be quoted: {upload.refusal}")
    tables = tables_of(quoting_service(session, upload.enterprise_id))
    try:
        priced = costing.quote(
            analysis_of(upload),
            data.process,
            data.material,
            data.quantity,
            now=now,
            capacity=capacity(session, upload.enterprise_id, now),
            tables=tables,
        )
    except costing.CostingError as exc:
        raise InvalidInput(str(exc)) from exc
    row = Quote(
        owner_id=actor.user_id,
        enterprise_id=upload.enterprise_id,
        upload_id=upload.id,
        process=data.process.value,
        material=priced.material,
        quantity=data.quantity,
        manual_review=priced.manual_review,
        unit_price=_cents(priced.unit_price),
        total=_cents(priced.total),
        details=_details(priced),
        valid_until=now + VALID_FOR,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _cents(euros: float | None) -> int | None:
    return None if euros is None else round(euros * CENTS)


def _details(priced: costing.Quote) -> dict[str, Any]:
    return {
        "findings": [{**asdict(f), "severity": f.severity.value} for f in priced.findings],
        "breaks": [
            {"quantity": b.quantity, "unit_price": _cents(b.unit_price), "total": _cents(b.total)}
            for b in priced.breaks
        ],
        "tiers": [
            {
                "tier": lead.tier.value,
                "unit_price": round((priced.unit_price or 0) * lead.price_factor * CENTS),
                "total": round((priced.unit_price or 0) * lead.price_factor * CENTS)
                * priced.quantity,
                "ready_at": lead.ready_at.isoformat(),
                "ship_date": lead.ship_date.isoformat(),
            }
            for lead in priced.lead_times
        ],
        "machine_hours": priced.cost.machine_hours if priced.cost else None,
        "grams": priced.cost.grams if priced.cost else None,
    }


def quote_out(quote: Quote) -> dict[str, Any]:
    out = QuoteOut.model_validate({**quote.column_values(), **quote.details})
    return out.model_dump(mode="json")


def load_quote(session: Session, actor: Actor, quote_id: str) -> Quote:
    """The quote, for the customer and the quoting micro-enterprise; 404 for anyone else."""
    quote = session.get(Quote, quote_id)
    if quote is None or not (
        quote.owner_id == actor.user_id or actor.is_member_of(quote.enterprise_id)
    ):
        raise NotFound("There is no such quote, or it is not yours.")
    return quote


def prepare_quote_order(
    session: Session, actor: Actor, data: QuoteOrder, now: datetime | None = None
) -> PreparedOrder:
    """An order with one line per quote at the chosen tier's price; the customer's own, still
    valid, priced quotes of one micro-enterprise only."""
    now = now or utcnow()
    quotes = []
    for quote_id in dict.fromkeys(data.quote_ids):
        quote = session.get(Quote, quote_id)
        if quote is None or quote.owner_id != actor.user_id:
            raise NotFound(f"There is no quote {quote_id!r} of yours.")
        quotes.append(_orderable(quote, now))
    enterprises = {quote.enterprise_id for quote in quotes}
    if len(enterprises) > 1:
        raise InvalidInput("Quotes from different micro-enterprises go in different orders.")
    service = quoting_service(session, enterprises.pop())
    product = session.get(Product, service.product_id)
    assert product is not None
    lines = [_line(session, actor, product, quote, data.tier.value) for quote in quotes]
    return prepare_lines(actor, lines, to_makers=service.to_makers)


def _orderable(quote: Quote, now: datetime) -> Quote:
    if quote.order_id is not None:
        raise Conflict("This quote has already been ordered.", order_id=quote.order_id)
    if quote.manual_review or quote.unit_price is None:
        raise InvalidInput("This part needs a manual review before it can be ordered.")
    if quote.valid_until < now:
        raise InvalidInput("This quote has expired; ask for a new one (ship dates change).")
    return quote


def _line(session: Session, actor: Actor, product: Product, quote: Quote, tier: str) -> PricedLine:
    price = next((t for t in quote.details["tiers"] if t["tier"] == tier), None)
    if price is None:
        raise InvalidInput(
            f"The {tier} tier is not offered for this part: no machine that can make it is "
            "connected. Send the shop a request for quote instead."
        )
    upload = load_upload(session, actor, quote.upload_id)
    configuration = {
        "quote_id": quote.id,
        "upload_id": upload.id,
        "file": upload.filename,
        "process": quote.process,
        "material": quote.material,
        "tier": tier,
        "ship_date": price["ship_date"],
    }
    return PricedLine(
        product=product,
        quantity=quote.quantity,
        unit_price=price["unit_price"],
        configuration=configuration,
        pricing={"quote_id": quote.id, **quote.details},
        routing=routing_of(quote),
        bill=bill_of(quote),
    )


def bill_of(quote: Quote) -> list[dict[str, Any]]:
    """The part's material in grams (with its supports, or a milled part's stock), under the
    key ``<process>-<material>`` (``fdm-pla``) the shop stocks it as; quotes made before
    grams were kept take none."""
    grams = quote.details.get("grams")
    if not grams:
        return []
    key = re.sub(r"[^a-z0-9.-]+", "-", f"{quote.process}-{quote.material}".lower()).strip("-")
    total = Decimal(str(grams * quote.quantity)).quantize(Decimal("0.001"))
    name = f"{quote.material} ({quote.process.upper()})"
    return bill_json([Requirement("stock", key, name, total, "g", "make")])


def routing_of(quote: Quote) -> list[dict[str, Any]]:
    """Make, inspect, pack: what planning turns into operations for the part."""
    hours = quote.details.get("machine_hours") or 0.0
    make = max(1, round(hours * 60 * quote.quantity))
    inspect = round(INSPECT_MINUTES[0] + INSPECT_MINUTES[1] * quote.quantity)
    pack = round(PACK_MINUTES[0] + PACK_MINUTES[1] * quote.quantity)
    capability = CAPABILITY[Process(quote.process)]
    return [
        {
            **_step(
                "make", f"Make ({quote.process.upper()}, {quote.material})", capability, make, ()
            ),
            "artifact": UPLOADED,  # the machine is sent the customer's file
        },
        _step("inspect", "Inspect", "inspect", inspect, ("make",)),
        _step("pack", "Pack", "pack", pack, ("inspect",)),
    ]


def _step(
    key: str, name: str, capability: str, minutes: int, after: tuple[str, ...]
) -> dict[str, Any]:
    return {
        "id": key,
        "name": name,
        "capability": capability,
        "minutes": minutes,
        "predecessors": list(after),
    }


def mark_ordered(session: Session, quote_ids: list[str], order_id: str) -> None:
    """In the order's transaction: a quote is ordered once, even by concurrent requests."""
    wanted = list(dict.fromkeys(quote_ids))
    done = session.execute(
        update(Quote)
        .where(Quote.id.in_(wanted), Quote.order_id.is_(None))
        .values(order_id=order_id)
    )
    if done.rowcount != len(wanted):  # type: ignore[attr-defined]
        raise Conflict("One of these quotes has just been ordered in another request.")
