"""Aggregation of a circle's demands into proposals, and what each member sees of them.

Split in three so the clustering holds no transaction (on SQLite a write transaction is the one
write lock): ``gather`` reads, ``compute`` is the pure engine call, ``store`` writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog import templates
from c2m.domains.circles import service
from c2m.domains.circles.batches import batch_out
from c2m.domains.circles.models import (
    AggregationRun,
    Circle,
    Demand,
    PreorderBatch,
    Proposal,
    ReactionKind,
)
from c2m.domains.circles.schemas import NewAggregation, ProposalOut, YourModel
from c2m.domains.platform.actor import Actor
from c2m.engines.aggregation.demand import Demand as Asked
from c2m.engines.configurator import Template, compile_template
from c2m.kernel.errors import InvalidInput

if TYPE_CHECKING:
    from c2m.engines.aggregation import Aggregation

MAP_POINTS = 2_000  # demands drawn on the owner's map; a phone gains nothing from more


@dataclass(frozen=True)
class Inputs:
    """What one aggregation works on, read in one transaction."""

    circle_id: str
    template_version: int
    template: Template  # plain data: the clustering runs in another process, which compiles it
    demands: tuple[Asked, ...]


def gather(session: Session, actor: Actor, circle_id: str) -> Inputs:
    """The visible demands, each weighing 1 + its votes + its followers (owners only)."""
    circle = service.owned_circle(session, actor, circle_id)
    loaded = templates.load(session, actor, circle.template_id)
    counts = service.tally(session, actor, circle.id)
    demands = tuple(
        Asked(d.id, d.configuration, 1 + counts.votes(d.id) + counts.followers(d.id))
        for d in service.visible_demands(session, circle, with_hidden=False)
    )
    if not demands:
        raise InvalidInput("The circle has no demands to pool yet.")
    template = loaded.compiled.template
    return Inputs(circle.id, loaded.row.version, template, demands)


def compute(inputs: Inputs, data: NewAggregation) -> Aggregation:
    """The engine's answer; CPU-bound, so callers run it in a worker process (and only that
    process loads the engine's numerical libraries)."""
    from c2m.engines.aggregation import AggregationError, aggregate, spec_for

    spec = spec_for(compile_template(inputs.template))
    try:
        if data.k is not None:
            return aggregate(spec, inputs.demands, k=min(data.k, len(inputs.demands)))
        return aggregate(spec, inputs.demands, coverage=data.coverage)
    except AggregationError as exc:
        raise InvalidInput(str(exc)) from exc


def _rounded(values: Iterable[float]) -> list[float]:
    return [round(float(v), 4) for v in values]


def store(session: Session, actor: Actor, inputs: Inputs, result: Aggregation) -> AggregationRun:
    """The run (curve, map, every demand's model and differences) and one proposal per model."""
    circle = service.owned_circle(session, actor, inputs.circle_id)
    assignments = {
        a.demand_id: {
            "model": a.model,
            "within": a.within_tolerance,
            "summary": str(a) or "as you asked",
            "differences": [
                {"option": d.option, "asked": d.asked, "model": d.model, "change": d.change}
                for d in a.differences
            ],
        }
        for a in result.assignments()
    }
    shown = slice(0, MAP_POINTS)
    run = AggregationRun(
        circle_id=circle.id,
        template_version=inputs.template_version,
        coverage=result.coverage,
        curve=[{"k": p.k, "coverage": p.coverage, "mismatch": p.mismatch} for p in result.curve],
        map={
            "x": _rounded(result.map.x[shown]),
            "y": _rounded(result.map.y[shown]),
            "labels": [int(label) for label in result.labels[shown]],
            "model_x": _rounded(result.map.model_x),
            "model_y": _rounded(result.map.model_y),
        },
        assignments=assignments,
        created_by=actor.user_id,
    )
    session.add(run)
    session.flush()
    total = sum(d.weight for d in inputs.demands)
    session.add_all(
        Proposal(
            circle_id=circle.id,
            run_id=run.id,
            position=model.index,
            configuration=dict(model.configuration),
            demands=model.demands,
            covered_share=model.covered_weight / total,
        )
        for model in result.models
    )
    session.flush()
    return run


def latest_run(session: Session, circle: Circle) -> AggregationRun | None:
    query = select(AggregationRun).where(AggregationRun.circle_id == circle.id)
    return session.scalar(query.order_by(AggregationRun.created_at.desc()).limit(1))


def list_proposals(session: Session, actor: Actor | None, circle_id: str) -> list[ProposalOut]:
    """The latest run's models, and earlier ones with a pre-order batch, each with the caller's
    demands it is for and what differs from what they asked."""
    circle = service.load_circle(session, actor, circle_id)
    run = latest_run(session, circle)
    if run is None:
        return []
    batches = {
        b.proposal_id: b
        for b in session.scalars(select(PreorderBatch).where(PreorderBatch.circle_id == circle.id))
    }
    query = (
        select(Proposal, AggregationRun.created_at)
        .join(AggregationRun, AggregationRun.id == Proposal.run_id)
        .where(
            Proposal.circle_id == circle.id,
            (Proposal.run_id == run.id) | Proposal.id.in_(list(batches)),
        )
    )
    owner = actor is not None and actor.is_owner_of(circle.enterprise_id)
    if not owner:
        query = query.where(Proposal.hidden.is_(False))
    proposals = session.execute(query.order_by(Proposal.position))
    mine = [] if actor is None else _my_demands(session, actor, circle)
    counts = service.tally(session, actor, circle.id)
    out = []
    for proposal, created_at in proposals:
        yours = [
            YourModel(
                demand_id=demand_id,
                within_tolerance=bool(run.assignments[demand_id]["within"]),
                summary=str(run.assignments[demand_id]["summary"]),
            )
            for demand_id in mine
            if proposal.run_id == run.id
            and demand_id in run.assignments
            and run.assignments[demand_id]["model"] == proposal.position
        ]
        batch = batches.get(proposal.id)
        out.append(
            ProposalOut(
                id=proposal.id,
                position=proposal.position,
                configuration=proposal.configuration,
                demands=proposal.demands,
                covered_share=proposal.covered_share,
                hidden=proposal.hidden,
                votes=counts.votes(proposal.id),
                voted=(proposal.id, ReactionKind.VOTE) in counts.mine,
                yours=yours,
                batch=None if batch is None else batch_out(session, batch),
                created_at=created_at,
            )
        )
    return out


def _my_demands(session: Session, actor: Actor, circle: Circle) -> list[str]:
    query = select(Demand.id).where(
        Demand.circle_id == circle.id, Demand.author_id == actor.user_id
    )
    return list(session.scalars(query.order_by(Demand.created_at)))
