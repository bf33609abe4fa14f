"""Hard filters: a maker or machine either can make the job in time or it is left out, with
the reason in words. Cheap checks run first; the calendar, the dearest, runs last."""

from __future__ import annotations

from dataclasses import dataclass

from c2m.engines.routing.model import ANY_COLOUR, Job, Machine, Maker
from c2m.engines.routing.policy import RoutingPolicy
from c2m.engines.routing.shipping import in_days, ship_days


@dataclass(frozen=True, slots=True)
class Candidate:
    """A machine that passes every filter: what it charges, when the part is ready, how long
    the parcel travels."""

    maker: Maker
    machine: Machine
    price: int
    ready_at: float
    ship_days: int


def _mm(box: tuple[float, float, float]) -> str:
    return " x ".join(f"{side:g}" for side in box) + " mm"


def _listed(names: frozenset[str], empty: str) -> str:
    return ", ".join(sorted(names)) or empty


def maker_refusal(job: Job, maker: Maker, policy: RoutingPolicy) -> str | None:
    """Why the maker as a whole cannot take the job, or None."""
    if maker.suspended:
        return "suspended"
    missing = job.certificates - maker.certificates
    if missing:
        return "lacks the certificates " + ", ".join(sorted(missing))
    if maker.jobs_done < policy.probation_jobs and job.size > policy.probation_size:
        return (
            f"on probation ({maker.jobs_done} of {policy.probation_jobs} jobs done): "
            f"{policy.probation_size.name.lower()} parts only, this one is {job.size.name.lower()}"
        )
    trust = maker.capability_scores.get(job.capability)
    if trust is not None and trust < policy.min_capability_score:
        return (
            f"{job.capability} score {trust:.2f} is below {policy.min_capability_score:.2f} "
            "after failed jobs of that kind"
        )
    return None


def machine_refusal(job: Job, machine: Machine) -> str | None:
    """Why this machine cannot make the part at all, whatever its calendar, or None."""
    if job.capability not in machine.capabilities:
        return f"does not do {job.capability}"
    if job.material not in machine.materials:
        return f"has {_listed(machine.materials, 'no material')} loaded, not {job.material}"
    if job.colour != ANY_COLOUR and job.colour not in machine.colours:
        return f"has {_listed(machine.colours, 'no colour')} loaded, not {job.colour}"
    if any(p > b for p, b in zip(sorted(job.box_mm), sorted(machine.build_mm), strict=True)):
        return f"builds up to {_mm(machine.build_mm)}, the part is {_mm(job.box_mm)}"
    if machine.tolerance_mm > job.tolerance_mm:
        return f"holds ±{machine.tolerance_mm:g} mm, the part needs ±{job.tolerance_mm:g} mm"
    return None


def ready_time(job: Job, machine: Machine, latest: float, now: float) -> float | None:
    """When the part would be ready after the machine's queue, in its open hours; None when
    not by ``latest``."""
    queue_end = machine.calendar.finish(now, machine.queue_hours, latest)
    if queue_end is None:
        return None
    return machine.calendar.finish(max(queue_end, job.earliest_start), job.machine_hours, latest)


def screen(
    job: Job, maker: Maker, policy: RoutingPolicy, now: float
) -> tuple[list[Candidate], str | None]:
    """Every machine of ``maker`` able to make ``job`` on time, or none and the reason."""
    refusal = maker_refusal(job, maker, policy)
    if refusal is not None:
        return [], refusal
    found: list[Candidate] = []
    why: list[str] = []
    days = 0
    for machine in maker.machines:
        refusal = machine_refusal(job, machine)
        if refusal is None:
            days = days or ship_days(maker.place, job.destination)
            ready = ready_time(job, machine, job.due - 24.0 * days, now)
            if ready is not None:
                found.append(Candidate(maker, machine, machine.price(job), ready, days))
                continue
            refusal = (
                f"no free time before the due date ({machine.queue_hours:.1f} h queued, "
                f"{job.machine_hours:g} h of work, {in_days(days)} of shipping)"
            )
        why.append(f"{machine.id} {refusal}")
    if found:
        return found, None
    return [], "; ".join(why) if why else "has no machine"
