"""Batch assignment: never more jobs on a machine than its free slots, never dearer than
placing the jobs one by one, and every job left waiting has its reason."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from routing_support import crowds, job, jobs, machine, maker

from c2m.engines.routing import Job, Maker, assign_batch, assign_greedily, route
from c2m.engines.routing.batch import batch_cost
from c2m.engines.routing.filters import screen
from c2m.engines.routing.policy import DEFAULT_POLICY

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
batches = st.integers(1, 8).flatmap(
    lambda n: st.tuples(*[jobs(f"j{i}") for i in range(n)]).map(list)
)


def test_the_cheap_machine_goes_to_the_job_that_gains_most() -> None:
    """Greedy gives the cheap printer to the job due first (1 hour) and the 10-hour job pays
    the dear one; the batch does the opposite and costs less in total."""
    short, long = job("short", machine_hours=1.0, due=40.0), job("long", machine_hours=10.0)
    crowd = [
        maker("cheap", machine(price_per_hour=100)),
        maker("dear", machine(price_per_hour=300)),
    ]
    batch, greedy = assign_batch([short, long], crowd), assign_greedily([short, long], crowd)
    assert {a.job_id: a.maker_id for a in greedy.assigned} == {"short": "cheap", "long": "dear"}
    assert {a.job_id: a.maker_id for a in batch.assigned} == {"short": "dear", "long": "cheap"}
    assert batch.total_cost < greedy.total_cost


def test_greedy_strands_a_job_the_batch_places() -> None:
    flexible = job("flexible", colour="black", due=40.0)
    picky = job("picky", colour="black", material="PETG", due=50.0)
    cheap_both = maker("cheap", machine(price_per_hour=100))
    pla_only = maker("pla", machine(price_per_hour=200, materials=frozenset({"PLA"})))
    crowd = [cheap_both, pla_only]
    greedy = assign_greedily([flexible, picky], crowd)
    batch = assign_batch([flexible, picky], crowd)
    assert [u.job_id for u in greedy.unassigned] == ["picky"]
    assert len(batch.assigned) == 2
    assert {a.job_id: a.maker_id for a in batch.assigned} == {"flexible": "pla", "picky": "cheap"}


def test_waiting_jobs_say_why() -> None:
    nobody = job("nobody", capability="cnc-mill")
    crowded = [job("one"), job("two")]
    result = assign_batch([nobody, *crowded], [maker("a")])
    reasons = {u.job_id: u.reason for u in result.unassigned}
    assert reasons["nobody"] == "no maker passes the hard filters (1 makers considered)"
    assert len(result.assigned) == 1
    waiting = next(r for j, r in reasons.items() if j != "nobody")
    assert waiting == "every able machine (1) is full in this batch"
    busy = maker("busy", machine(slots=0))
    assert assign_batch([job()], [busy]).unassigned[0].reason == waiting


def test_a_lower_maker_score_costs_more_in_a_batch() -> None:
    trusted, doubted = maker("t", score=1.0), maker("d", score=0.0)
    cost = {
        m.id: batch_cost(screen(job(), m, DEFAULT_POLICY, 0.0)[0][0], DEFAULT_POLICY)
        for m in (trusted, doubted)
    }
    assert cost == {"t": 600 + 200, "d": 780 + 200}
    assert assign_batch([job()], [doubted, trusted]).assigned[0].maker_id == "t"


@PROPERTY
@given(batches, crowds)
def test_never_beyond_capacity_never_worse_than_greedy(
    waiting: list[Job], crowd: list[Maker]
) -> None:
    batch = assign_batch(waiting, crowd)
    greedy = assign_greedily(waiting, crowd)
    slots = {(k.id, m.id): m.slots for k in crowd for m in k.machines}
    used = Counter((a.maker_id, a.machine_id) for a in batch.assigned)
    assert all(used[key] <= slots[key] for key in used)
    assert sorted([a.job_id for a in batch.assigned] + [u.job_id for u in batch.unassigned]) == (
        sorted(j.id for j in waiting)
    )
    assert (len(batch.unassigned), batch.total_cost) <= (len(greedy.unassigned), greedy.total_cost)
    for placed in batch.assigned:
        the_job = next(j for j in waiting if j.id == placed.job_id)
        ranked = {o.maker_id for o in route(the_job, crowd).offers}
        assert placed.maker_id in ranked
