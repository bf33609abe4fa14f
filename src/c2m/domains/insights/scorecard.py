"""The two-dimensional scorecard: each micro-enterprise scored on user value and on enterprise
value for a period, recomputed from the orders, the timeline, the feedback and the ledger
(docs/scorecard.md gives every formula). A figure from too few orders is "not enough data"."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import fmean

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.insights import activity
from c2m.domains.insights.nps import net_promoter
from c2m.domains.ledger.periods import Period, month_before
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import Enterprise
from c2m.kernel.errors import Forbidden

MIN_ORDERS = 5
"""Fewer paid orders in a period than this give no user-value point: "not enough data"."""


@dataclass(frozen=True, slots=True)
class Measure:
    """One figure of an axis: a share or score (None when there is nothing to measure) and the
    number of orders, answers or money it rests on."""

    name: str
    value: float | None
    sample: int

    @property
    def index(self) -> float | None:
        """The figure on the axis's 0-100 scale."""
        if self.value is None:
            return None
        if self.name == "net promoter score":
            return (self.value + 100) / 2
        if self.name == "revenue growth":
            return 50 + 50 * max(-1.0, min(1.0, self.value))
        return 100 * max(0.0, min(1.0, self.value))


@dataclass(frozen=True, slots=True)
class Axis:
    measures: tuple[Measure, ...]
    enough: bool

    @property
    def score(self) -> float | None:
        """The mean of the measures' indices (0-100), or None without enough data."""
        indices = [m.index for m in self.measures if m.index is not None]
        return round(fmean(indices), 1) if self.enough and indices else None


@dataclass(frozen=True, slots=True)
class Point:
    enterprise_id: str
    name: str
    period: Period
    user: Axis
    enterprise: Axis
    orders: int

    @property
    def position(self) -> tuple[float, float] | None:
        """(enterprise value, user value), each 0-100; None without enough data on either."""
        across, up = self.enterprise.score, self.user.score
        return None if across is None or up is None else (across, up)


def scorecard(session: Session, actor: Actor, period: Period) -> list[tuple[Point, Point]]:
    """(this period, the one before) for each micro-enterprise ``actor`` may see: the platform
    owner sees all, an owner their own."""
    names = _visible(session, actor)
    earlier = month_before(period)
    sales = {p: activity.gross_sales(session, p) for p in (period, earlier, month_before(earlier))}
    now = _points(session, names, period, sales)
    before = _points(session, names, earlier, sales)
    return [(now[eid], before[eid]) for eid in sorted(names, key=lambda e: names[e])]


def _visible(session: Session, actor: Actor) -> dict[str, str]:
    query = select(Enterprise.id, Enterprise.name)
    if not actor.is_platform_owner:
        owned = [eid for eid in actor.memberships if actor.is_owner_of(eid)]
        if not owned:
            raise Forbidden("The scorecard is for the platform owner and micro-enterprise owners.")
        query = query.where(Enterprise.id.in_(owned))
    return {eid: name for eid, name in session.execute(query)}  # noqa: C416 - rows, not pairs


def _points(
    session: Session, names: dict[str, str], period: Period, sales: dict[Period, dict[str, int]]
) -> dict[str, Point]:
    """``sales`` holds gross sales of ``period`` and the month before it."""
    orders = activity.paid_orders(session, period)
    gross_now, gross_before = sales[period], sales[month_before(period)]
    margins = activity.margins(session, period, names)
    answers = activity.answers(session, period)
    deliveries = activity.deliveries(session, period)
    points = {}
    for eid, name in names.items():
        counts = orders.get(eid, defaultdict(int))
        paid, customers = counts["paid"], counts["customers"]
        done = deliveries.get(eid, activity.Deliveries())
        nps = net_promoter(answers.get(eid, []), done.delivered)
        user = Axis(
            (
                Measure("net promoter score", _number(nps.score), nps.answers),
                Measure("repeat purchase", _share(counts["repeat"], customers), customers),
                Measure("co-designed", _share(counts["codesigned"], paid), paid),
                Measure("through circles", _share(counts["circles"], paid), paid),
                Measure("on time", _share(done.on_time, done.promised), done.promised),
            ),
            enough=paid >= MIN_ORDERS,
        )
        gross, previous = gross_now.get(eid, 0), gross_before.get(eid, 0)
        enterprise = Axis(
            (
                Measure("contribution margin", _share(margins.get(eid, 0), gross), gross),
                Measure("revenue growth", _growth(gross, previous), previous),
            ),
            enough=gross > 0,
        )
        points[eid] = Point(eid, name, period, user, enterprise, paid)
    return points


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _growth(now: int, before: int) -> float | None:
    return (now - before) / before if before else None


def _number(value: int | None) -> float | None:
    return None if value is None else float(value)
