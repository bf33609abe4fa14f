"""Routing engine: jobs across independent makers by hard filters and an explainable score,
offers as a state machine, batch assignment, and the Maker Score."""

from typing import TYPE_CHECKING

from c2m.engines.exports import lazy_exports

if TYPE_CHECKING:
    from c2m.engines.routing.batch import (
        Assigned,
        BatchAssignment,
        Unassigned,
        assign_batch,
        assign_greedily,
    )
    from c2m.engines.routing.calendar import Calendar
    from c2m.engines.routing.clock import hours_at, moment_at
    from c2m.engines.routing.decision import Ranked, Rejected, RoutingDecision, ScoreParts
    from c2m.engines.routing.errors import RoutingError
    from c2m.engines.routing.maker_score import (
        JobOutcome,
        MakerScore,
        OfferAnswer,
        ScorePart,
        ScoreRules,
        score_maker,
    )
    from c2m.engines.routing.model import Job, Machine, Maker, Place, SizeClass
    from c2m.engines.routing.offers import (
        Offer,
        OfferError,
        OfferState,
        accept,
        counter,
        decline,
        make_offer,
        next_maker,
        time_out,
    )
    from c2m.engines.routing.policy import RoutingPolicy
    from c2m.engines.routing.router import route
    from c2m.engines.routing.shipping import distance_km, ship_days

_EXPORTS = {
    "Assigned": "batch",
    "BatchAssignment": "batch",
    "Unassigned": "batch",
    "assign_batch": "batch",
    "assign_greedily": "batch",
    "Calendar": "calendar",
    "hours_at": "clock",
    "moment_at": "clock",
    "Ranked": "decision",
    "Rejected": "decision",
    "RoutingDecision": "decision",
    "ScoreParts": "decision",
    "JobOutcome": "maker_score",
    "MakerScore": "maker_score",
    "OfferAnswer": "maker_score",
    "ScorePart": "maker_score",
    "ScoreRules": "maker_score",
    "score_maker": "maker_score",
    "Job": "model",
    "Machine": "model",
    "Maker": "model",
    "Place": "model",
    "RoutingError": "errors",
    "SizeClass": "model",
    "Offer": "offers",
    "OfferError": "offers",
    "OfferState": "offers",
    "accept": "offers",
    "counter": "offers",
    "decline": "offers",
    "make_offer": "offers",
    "next_maker": "offers",
    "time_out": "offers",
    "RoutingPolicy": "policy",
    "route": "router",
    "distance_km": "shipping",
    "ship_days": "shipping",
}
__all__ = [
    "Assigned",
    "BatchAssignment",
    "Calendar",
    "Job",
    "JobOutcome",
    "Machine",
    "Maker",
    "MakerScore",
    "Offer",
    "OfferAnswer",
    "OfferError",
    "OfferState",
    "Place",
    "Ranked",
    "Rejected",
    "RoutingDecision",
    "RoutingError",
    "RoutingPolicy",
    "ScorePart",
    "ScoreParts",
    "ScoreRules",
    "SizeClass",
    "Unassigned",
    "accept",
    "assign_batch",
    "assign_greedily",
    "counter",
    "decline",
    "distance_km",
    "hours_at",
    "make_offer",
    "moment_at",
    "next_maker",
    "route",
    "score_maker",
    "ship_days",
    "time_out",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)
