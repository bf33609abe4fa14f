"""The Maker Score: bounded, starts newcomers at the prior, rises with good work and falls
with bad, forgets beyond its window, explains itself, and a kind of job a maker keeps failing
stops reaching them."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from routing_support import job, machine, maker

from c2m.engines.routing import JobOutcome, OfferAnswer, OfferState, route, score_maker
from c2m.engines.routing.maker_score import DEFAULT_RULES

NOW = 100 * 24.0
GOOD = JobOutcome("fdm-print", NOW)
FAILED = JobOutcome("fdm-print", NOW, failed=True, on_time=False, qc_passed=False)

outcomes = st.builds(
    JobOutcome,
    capability=st.sampled_from(("fdm-print", "sla-print")),
    at=st.floats(0.0, NOW),
    failed=st.booleans(),
    on_time=st.booleans(),
    qc_passed=st.booleans(),
)
answers = st.builds(
    OfferAnswer,
    at=st.floats(0.0, NOW),
    state=st.sampled_from(
        (OfferState.ACCEPTED, OfferState.DECLINED, OfferState.COUNTERED, OfferState.TIMED_OUT)
    ),
    response_hours=st.floats(0.0, 10.0),
)
records = st.tuples(st.lists(outcomes, max_size=30), st.lists(answers, max_size=30))
PROPERTY = settings(max_examples=200, deadline=None)


def test_a_newcomer_starts_at_the_prior_with_a_hint() -> None:
    score = score_maker([], [], NOW)
    assert score.value == DEFAULT_RULES.prior == 0.75
    assert all(p.value == 0.75 and p.counted == 0 for p in score.parts)
    assert score.hint.startswith("You start at 0.75")


def test_the_parts_and_the_hint_name_what_to_improve() -> None:
    jobs = [GOOD] * 8 + [replace(GOOD, on_time=False)] * 2
    timed_out = OfferAnswer(NOW, OfferState.TIMED_OUT, 4.0)
    quick = OfferAnswer(NOW, OfferState.ACCEPTED, 0.2)
    score = score_maker(jobs, [quick] * 9 + [timed_out], NOW)
    parts = {p.name: p for p in score.parts}
    assert (parts["punctuality"].good, parts["punctuality"].counted) == (8, 10)
    assert parts["punctuality"].value == (8 + 3 * 0.75) / 13
    assert parts["quality"].value == (10 + 2.25) / 13
    assert (
        score.hint == "Plan your calendar so parts ship on time: 2 of your last 10 jobs were late."
    )
    assert score.value == sum(p.weight * p.value for p in score.parts)


def test_the_window_is_90_days_or_the_last_10_jobs() -> None:
    old_failures = [replace(FAILED, at=NOW - 100 * 24)] * 5
    recent = [replace(GOOD, at=NOW - 24 * d) for d in range(12)]
    forgotten = score_maker(old_failures + recent, [], NOW)
    assert (forgotten.parts[2].counted, forgotten.parts[2].good) == (12, 12)
    quiet = score_maker(old_failures + recent[:6], [], NOW)
    assert (quiet.parts[2].counted, quiet.parts[2].good) == (10, 6)


@PROPERTY
@given(records)
def test_the_score_and_its_parts_lie_between_0_and_1(
    record: tuple[list[JobOutcome], list[OfferAnswer]],
) -> None:
    score = score_maker(*record, now=NOW)
    assert 0.0 <= score.value <= 1.0
    assert all(0.0 <= p.value <= 1.0 for p in score.parts)
    assert all(0.0 <= v <= 1.0 for v in score.capabilities.values())
    assert score.hint


@PROPERTY
@given(records)
def test_good_work_never_lowers_it_and_bad_work_never_raises_it(
    record: tuple[list[JobOutcome], list[OfferAnswer]],
) -> None:
    jobs, offers = record
    before = score_maker(jobs, offers, NOW).value
    assert score_maker([*jobs, GOOD], offers, NOW).value >= before - 1e-12
    assert score_maker([*jobs, FAILED], offers, NOW).value <= before + 1e-12
    quick_yes = OfferAnswer(NOW, OfferState.ACCEPTED, 0.1)
    silence = OfferAnswer(NOW, OfferState.TIMED_OUT, DEFAULT_RULES.response_hours)
    assert score_maker(jobs, [*offers, quick_yes], NOW).value >= before - 1e-12
    assert score_maker(jobs, [*offers, silence], NOW).value <= before + 1e-12


def test_a_kind_of_job_a_maker_keeps_failing_stops_reaching_them() -> None:
    """A printer that claims SLA but fails its SLA jobs: after two failures in a row its SLA
    score falls below 0.5 and routing filters it out for SLA, still sending it FDM jobs."""
    claims_sla = machine(capabilities=frozenset({"fdm-print", "sla-print"}))
    record = [GOOD] * 6
    sla_job = job(capability="sla-print")
    for failures in range(1, 4):
        record.append(replace(FAILED, capability="sla-print"))
        score = score_maker(record, [], NOW)
        liar = maker("liar", claims_sla, score=score.value, capability_scores=score.capabilities)
        offered = bool(route(sla_job, [liar]).offers)
        assert offered == (failures < 2)
        assert route(job(), [liar]).offers, "its FDM jobs keep coming"
    assert "sla-print score 0.38 is below 0.50" in route(sla_job, [liar]).reasons()["liar"]
    assert score.hint.endswith("Jobs of a kind you keep failing stop coming: sla-print.")


def test_the_hint_points_at_a_real_shortfall_or_says_keep_it_up() -> None:
    assert score_maker([GOOD] * 12, [], NOW).hint.startswith("Keep it up")
    one_silence = [OfferAnswer(NOW, OfferState.TIMED_OUT, 4.0)]
    assert score_maker([GOOD] * 12, one_silence, NOW).hint.startswith(
        "Answer offers within 4 hours: 1 of your last 1 offers"
    )
