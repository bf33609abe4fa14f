"""A micro-enterprise's statements: P&L, the win-win value-added statement, and the postings
behind every figure (JSON or CSV). Members only; strangers are told nothing exists (404)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import StringConstraints

from c2m.domains.ledger import periods, pnl, value_added
from c2m.domains.ledger.export import statement_csv_lines
from c2m.domains.ledger.models import TransactionKind
from c2m.domains.ledger.periods import Period
from c2m.domains.ledger.pnl import Figure, PostingRow, Statement
from c2m.domains.ledger.schemas import (
    FigureOut,
    Money,
    PeriodOut,
    PnlOut,
    PostingOut,
    StatementOut,
    UsersOut,
    ValueAddedOut,
)
from c2m.kernel.schemas import MONTH
from c2m.web import links
from c2m.web.auth import LedgerRead, PlatformDep
from c2m.web.paging import PAGED, Paging
from c2m.web.problems import problem_responses

router = APIRouter(
    prefix="/api/v1/enterprises/{enterprise_id}/statements",
    tags=["statements"],
    responses=problem_responses(401, 404, 422),
)

DAY = r"^\d{4}-\d{2}-\d{2}$"
MonthParam = Annotated[
    str | None,
    Query(pattern=MONTH, description="A month, YYYY-MM; this month if no from/to."),
]
FromParam = Annotated[
    str | None, Query(alias="from", pattern=DAY, description="First day, YYYY-MM-DD.")
]
ToParam = Annotated[str | None, Query(alias="to", pattern=DAY, description="Last day, included.")]
#: A ledger account's name, or a prefix of names ending in ``:`` (letters, digits and colons).
AccountName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9:]+$", max_length=200)]


def period_out(period: Period) -> PeriodOut:
    return PeriodOut(label=period.label, start=period.start, end=period.end)


def figure_out(enterprise_id: str, period: Period, currency: str, figure: Figure) -> FigureOut:
    accounts, kinds = list(figure.slice.accounts), [k.value for k in figure.slice.kinds]
    return FigureOut(
        key=figure.key,
        label=figure.label,
        money=Money.of(figure.amount, currency),
        accounts=accounts,
        kinds=kinds,
        postings=links.statement_postings(enterprise_id, accounts, kinds, period),
    )


def statements_out(
    enterprise_id: str, period: Period, found: list[Statement]
) -> list[StatementOut]:
    return [
        StatementOut(
            currency=s.currency,
            figures=[figure_out(enterprise_id, period, s.currency, f) for f in s.figures],
        )
        for s in found
    ]


@router.get("/pnl", response_model=PnlOut)
def get_profit_and_loss(
    platform: PlatformDep,
    enterprise_id: str,
    actor: LedgerRead,
    period: MonthParam = None,
    start: FromParam = None,
    end: ToParam = None,
) -> PnlOut:
    """Sales, fees, royalties, maker payouts, revenue, refunds, production costs and the net
    result of the period, per currency; each figure links to the postings it sums."""
    span = periods.parse(period, start, end)
    with platform.db.read() as session:
        found = pnl.pnl(session, actor, enterprise_id, span)
    return PnlOut(
        enterprise_id=enterprise_id,
        period=period_out(span),
        currencies=statements_out(enterprise_id, span, found),
    )


@router.get("/value-added", response_model=ValueAddedOut)
def get_value_added_statement(
    platform: PlatformDep,
    enterprise_id: str,
    actor: LedgerRead,
    period: MonthParam = None,
    start: FromParam = None,
    end: ToParam = None,
) -> ValueAddedOut:
    """The win-win statement: users served (transactional, interactive, lifetime), value added
    and the value shared with co-designers and makers."""
    span = periods.parse(period, start, end)
    with platform.db.read() as session:
        found = value_added.value_added(session, actor, enterprise_id, span)
    users = found.users
    return ValueAddedOut(
        enterprise_id=enterprise_id,
        period=period_out(span),
        users=UsersOut(
            transactional=users.transactional,
            interactive=users.interactive,
            lifetime=users.lifetime,
            paid_orders=users.paid_orders,
            co_designed_orders=users.co_designed_orders,
            co_designed_share=users.co_designed_share,
            delivered_orders=users.delivered_orders,
        ),
        currencies=statements_out(enterprise_id, span, found.money),
    )


def posting_out(row: PostingRow) -> PostingOut:
    return PostingOut(
        seq=row.seq,
        transaction_id=row.transaction_id,
        at=row.at,
        kind=row.kind.value,
        reference=row.reference,
        description=row.description,
        account=row.account,
        money=Money.of(row.amount, row.currency),
    )


@router.get(
    "/postings",
    response_model=list[PostingOut],
    responses={200: {**PAGED[200], "content": {"text/csv": {}}}},
)
def list_statement_postings(
    platform: PlatformDep,
    enterprise_id: str,
    actor: LedgerRead,
    account: Annotated[list[AccountName], Query(max_length=20)],
    page: Paging,
    kind: Annotated[list[TransactionKind] | None, Query(max_length=4)] = None,
    period: MonthParam = None,
    start: FromParam = None,
    end: ToParam = None,
    format: Literal["json", "csv"] = "json",
) -> list[PostingOut] | StreamingResponse:
    """The postings on ``account`` (repeatable; one ending in ``:`` is every account under it)
    in the enterprise's transactions of the period, of ``kind`` (repeatable; all if none).
    JSON comes a page at a time; CSV is every posting of the selection in one file."""
    span = periods.parse(period, start, end)
    window = page.window if format == "json" else None
    with platform.db.read() as session:
        rows = pnl.postings(session, actor, enterprise_id, span, account, kind or (), window)
    if format == "csv":
        name = f"postings-{enterprise_id}-{span.start.date()}.csv"
        return StreamingResponse(
            (line + "\n" for line in statement_csv_lines(rows)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return page.answer(rows, posting_out)
