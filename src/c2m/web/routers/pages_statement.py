"""The statement page of a micro-enterprise: its P&L and win-win value-added statement for a
month (or days), every amount a link to the postings it sums, which download as CSV; and a
person's own earnings as a co-designer."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from c2m.domains.ledger import earnings, periods, pnl, value_added
from c2m.domains.ledger.models import TransactionKind
from c2m.domains.ledger.schemas import Money
from c2m.domains.platform import service as accounts
from c2m.web import links
from c2m.web.auth import OptionalCaller, PlatformDep
from c2m.web.routers.api_statements import FromParam, MonthParam, ToParam, statements_out
from c2m.web.routers.pages import signed_in
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/workshop/enterprises/{enterprise_id}/statement")
def statement(
    request: Request,
    platform: PlatformDep,
    enterprise_id: str,
    caller: OptionalCaller,
    period: MonthParam = None,
    start: FromParam = None,
    end: ToParam = None,
) -> Response:
    actor = signed_in(request, caller).actor
    span = periods.parse(period, start, end)
    with platform.db.read() as session:
        enterprise = accounts.get_enterprise(session, actor, enterprise_id)
        found = value_added.value_added(session, actor, enterprise_id, span)
        pnls = pnl.pnl(session, actor, enterprise_id, span)
    month = span.start.strftime("%Y-%m")
    context = {
        "enterprise": enterprise,
        "span": span,
        "month": month,
        "previous": (span.start - timedelta(days=1)).strftime("%Y-%m"),
        "next": span.end.strftime("%Y-%m"),
        "pnl": statements_out(enterprise_id, span, pnls),
        "value": statements_out(enterprise_id, span, found.money),
        "users": found.users,
        "postings_page": lambda figure: links.statement_postings_page(
            enterprise_id, figure.accounts, figure.kinds, span
        ),
    }
    return render(request, caller, "statement.html", context)


@router.get("/workshop/enterprises/{enterprise_id}/statement/postings")
def statement_postings(
    request: Request,
    platform: PlatformDep,
    enterprise_id: str,
    caller: OptionalCaller,
    account: Annotated[list[str], Query(max_length=20)],
    kind: Annotated[list[TransactionKind] | None, Query(max_length=4)] = None,
    period: MonthParam = None,
    start: FromParam = None,
    end: ToParam = None,
) -> Response:
    actor = signed_in(request, caller).actor
    span = periods.parse(period, start, end)
    kinds = kind or []
    with platform.db.read() as session:
        enterprise = accounts.get_enterprise(session, actor, enterprise_id)
        rows = pnl.postings(session, actor, enterprise_id, span, account, kinds)
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.currency] = totals.get(row.currency, 0) + row.amount
    names = [k.value for k in kinds]
    context = {
        "enterprise": enterprise,
        "span": span,
        "accounts": account,
        "kinds": names,
        "rows": [(row, Money.of(row.amount, row.currency)) for row in rows],
        "totals": [Money.of(amount, currency) for currency, amount in sorted(totals.items())],
        "csv": links.statement_postings(enterprise_id, account, names, span) + "&format=csv",
        "back": links.statement_page(enterprise_id) + "?" + span.query,
    }
    return render(request, caller, "statement_postings.html", context)


@router.get("/account/earnings")
def my_earnings(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    actor = signed_in(request, caller).actor
    with platform.db.read() as session:
        out = earnings.as_out(earnings.earnings(session, actor))
    return render(request, caller, "earnings.html", {"out": out})
