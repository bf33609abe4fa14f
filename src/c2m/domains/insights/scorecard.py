"""The two-dimensional scorecard: each micro-enterprise, product, circle or maker scored on user
value and on enterprise value for every month asked, recomputed from the orders, the timeline,
the feedback and the ledger (docs/scorecard.md gives every formula). A figure from too few orders
is "not enough data".

A year is read in one pass: each figure is one query grouped by unit and month over the whole
span (``activity``), then cut into points here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import fmean

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog.models import Product
from c2m.domains.circles.models import Circle
from c2m.domains.insights import activity
from c2m.domains.insights.activity import Deliveries, Money, Orders, UnitKind, Units
from c2m.domains.insights.nps import NetPromoter
from c2m.domains.ledger.periods import Period, month_before
from c2m.domains.makers.models import MakerProfile
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import Enterprise
from c2m.kernel.errors import Forbidden, InvalidInput

MIN_ORDERS = 5
"""Fewer paid orders in a period than this give no user-value point: "not enough data"."""
MAX_MONTHS = 24
"""The longest run of months one request may ask for."""


@dataclass(frozen=True, slots=True)
class Measure:
    """One figure of an axis: a share or score (None when there is nothing to measure), the
    number of orders, answers or money it rests on, and for a survey how many were asked."""

    name: str
    value: float | None
    sample: int
    asked: int | None = None

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
class Unit:
    """What a point stands for: a micro-enterprise, or a product or circle of one."""

    kind: UnitKind
    id: str
    name: str
    enterprise_id: str
    enterprise: str  # the micro-enterprise's name


@dataclass(frozen=True, slots=True)
class Point:
    unit: Unit
    period: Period
    user: Axis
    enterprise: Axis
    orders: int

    @property
    def name(self) -> str:
        return self.unit.name

    @property
    def position(self) -> tuple[float, float] | None:
        """(enterprise value, user value), each 0-100; None without enough data on either."""
        across, up = self.enterprise.score, self.user.score
        return None if across is None or up is None else (across, up)


Row = tuple[Point, Point]
"""A unit's point in a month and in the month before it (the trend)."""


def scorecard(
    session: Session, actor: Actor, period: Period, kind: UnitKind = UnitKind.ENTERPRISE
) -> list[Row]:
    """(this month, the one before) for each unit of ``kind`` the actor may see."""
    return history(session, actor, [period], kind)[0]


def history(
    session: Session, actor: Actor, periods: Sequence[Period], kind: UnitKind
) -> list[list[Row]]:
    """For each of ``periods`` (consecutive calendar months, oldest first), (that month, the
    one before) for each unit of ``kind`` the actor may see, in one pass over the rows: the
    platform owner sees every unit, a micro-enterprise owner their own enterprise's."""
    if not periods or len(periods) > MAX_MONTHS:
        raise InvalidInput(f"Ask for one to {MAX_MONTHS} months.")
    units = _visible(session, actor, kind)
    earlier = month_before(periods[0])
    span = Period(earlier.start, periods[-1].end, "")
    with_growth = Period(month_before(earlier).start, periods[-1].end, "")
    by = Units(kind)
    figures = _Figures(
        activity.paid_orders(session, by, span),
        activity.deliveries(session, by, span),
        activity.money(session, by, with_growth),
    )
    shown = [earlier, *periods]
    points = [{unit.id: figures.point(unit, month) for unit in units} for month in shown]
    return [[(now[unit.id], before[unit.id]) for unit in units] for before, now in pairwise(points)]


def _visible(session: Session, actor: Actor, kind: UnitKind) -> list[Unit]:
    """The units ``actor`` may see, by name."""
    query = select(Enterprise.id, Enterprise.name)
    if not actor.is_platform_owner:
        owned = [eid for eid in actor.memberships if actor.is_owner_of(eid)]
        if not owned:
            raise Forbidden("The scorecard is for the platform owner and micro-enterprise owners.")
        query = query.where(Enterprise.id.in_(owned))
    names: dict[str, str] = dict(session.execute(query).all())
    rows: Sequence[tuple[str, str, str]]
    if kind is UnitKind.PRODUCT:
        found = select(Product.id, Product.name, Product.enterprise_id)
        rows = session.execute(found.where(Product.enterprise_id.in_(names))).all()
    elif kind is UnitKind.CIRCLE:
        found = select(Circle.id, Circle.title, Circle.enterprise_id)
        rows = session.execute(found.where(Circle.enterprise_id.in_(names))).all()
    elif kind is UnitKind.MAKER:  # a maker's workshop is a micro-enterprise of its own
        found = select(MakerProfile.id, MakerProfile.display_name, MakerProfile.enterprise_id)
        rows = session.execute(found.where(MakerProfile.enterprise_id.in_(names))).all()
    else:
        rows = [(eid, name, eid) for eid, name in names.items()]
    units = [Unit(kind, uid, name, eid, names[eid]) for uid, name, eid in rows]
    return sorted(units, key=lambda unit: (unit.name.casefold(), unit.id))


@dataclass(frozen=True, slots=True)
class _Figures:
    """The raw figures of a span, by (unit, month)."""

    orders: dict[activity.Key, Orders]
    deliveries: dict[activity.Key, Deliveries]
    money: dict[activity.Key, Money]

    def point(self, unit: Unit, period: Period) -> Point:
        month = period.month or period.label
        before = month_before(period).month or ""
        counts = self.orders.get((unit.id, month), Orders())
        done = self.deliveries.get((unit.id, month), Deliveries())
        nps = NetPromoter(done.promoters, done.passives, done.detractors, done.delivered)
        paid, customers = counts.paid, counts.customers
        measures = [
            Measure("net promoter score", _number(nps.score), nps.answers, nps.asked),
            Measure("repeat purchase", _share(counts.repeat, customers), customers),
            Measure("co-designed", _share(counts.codesigned, paid), paid),
            Measure("through circles", _share(counts.circles, paid), paid),
            Measure("on time", _share(done.on_time, done.promised), done.promised),
        ]
        if unit.kind is UnitKind.CIRCLE:  # every order of a circle's model came through it
            measures = [m for m in measures if m.name != "through circles"]
        user = Axis(tuple(measures), enough=paid >= MIN_ORDERS)
        now = self.money.get((unit.id, month), Money())
        gross, previous = now.gross, self.money.get((unit.id, before), Money()).gross
        enterprise = Axis(
            (
                Measure("contribution margin", _share(now.kept, gross), gross),
                Measure("revenue growth", _growth(gross, previous), previous),
            ),
            enough=gross > 0,
        )
        return Point(unit, period, user, enterprise, paid)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _growth(now: int, before: int) -> float | None:
    return (now - before) / before if before else None


def _number(value: int | None) -> float | None:
    return None if value is None else float(value)
