"""What a circle owner relies on, on the made-to-measure shirt: clear groups are found, open
options cost nothing, ordered choices count ranks, the rules hold for every model, each person
reads what differs for them, and bad input is refused with a reason."""

from __future__ import annotations

import pytest

from c2m.demo.templates import REFRIGERATOR, SHIRT
from c2m.engines.aggregation import (
    AggregationError,
    Demand,
    DemandError,
    Effort,
    OptionSpec,
    SpecError,
    aggregate,
    spec_for,
)
from c2m.engines.configurator import Value, compile_template, validate

SHIRT_C = compile_template(SHIRT)
TIGHT = [
    OptionSpec("chest", tolerance=20),
    OptionSpec("waist", tolerance=20),
    OptionSpec("sleeve", tolerance=10),
    OptionSpec("neck", tolerance=10),
    OptionSpec("fit", order=("slim", "regular", "relaxed")),
]


def person(i: int, chest: float, waist: float, **more: Value) -> Demand:
    return Demand(f"p{i}", {"chest": chest, "waist": waist, **more}, 1.0)


def two_groups() -> list[Demand]:
    small = [person(i, 960 + i % 3, 850, sleeve=600, fit="slim") for i in range(30)]
    large = [person(30 + i, 1200, 1100 - i % 2, sleeve=680, fit="relaxed") for i in range(20)]
    return small + large


def test_two_clear_groups_give_two_models_that_cover_everyone() -> None:
    result = aggregate(spec_for(SHIRT_C, TIGHT), two_groups(), k=2)
    assert result.coverage == 1.0
    chests = sorted(model.configuration["chest"] for model in result.models)
    assert chests == [960, 1200]
    sizes = sorted(model.demands for model in result.models)
    assert sizes == [20, 30]


def test_coverage_target_picks_the_fewest_models_that_reach_it() -> None:
    result = aggregate(spec_for(SHIRT_C, TIGHT), two_groups(), coverage=0.95)
    assert result.k == 2
    assert result.target_met
    assert [p.k for p in result.curve if p.coverage >= 0.95] == [2]


def test_for_a_coverage_target_models_cover_demand_rather_than_average_it() -> None:
    """40 % want exactly one size, the rest are spread out: the least-mismatch model sits in
    the spread and covers few; asked for 40 % coverage, one model on the group does it."""
    group = [person(i, 1000, 900) for i in range(40)]
    spread = [person(40 + i, 1100 + 5 * i, 900) for i in range(60)]
    spec = spec_for(SHIRT_C, TIGHT)
    least_mismatch = aggregate(spec, group + spread, k=1)
    assert least_mismatch.coverage < 0.4
    covering = aggregate(spec, group + spread, coverage=0.4)
    assert covering.k == 1
    assert covering.coverage >= 0.4
    assert covering.models[0].configuration["chest"] == 1000


def test_an_open_option_costs_nothing_and_is_not_reported() -> None:
    demands = [person(0, 1000, 900), Demand("only-chest", {"chest": 1013}, 1.0)]
    result = aggregate(spec_for(SHIRT_C, TIGHT), demands, k=1)
    model = result.models[0].configuration
    alone = result.assignment(1)
    assert alone.distance == pytest.approx(abs(1013 - float(model["chest"])) / 20)
    assert {d.option for d in alone.differences} | set(alone.as_asked) == {"chest"}


def test_ordered_choices_cost_their_rank_distance() -> None:
    spec = spec_for(SHIRT_C, [*TIGHT[:4], OptionSpec("fit", order=("slim", "regular", "relaxed"))])
    demands = [person(0, 1100, 900, fit="relaxed")]
    demands += [person(1 + i, 1100, 900, fit="slim") for i in range(4)]
    result = aggregate(spec, demands, k=1)
    assert result.models[0].configuration["fit"] == "slim"
    assert result.assignment(0).distance == pytest.approx(2.0)  # relaxed is two ranks from slim


def test_models_obey_the_rules_even_when_every_demand_breaks_them() -> None:
    # slim needs the waist 100 mm under the chest; linen has no slim fit
    wishes = {"chest": 1000, "waist": 990, "fit": "slim", "fabric": "linen"}
    demands = [Demand(f"d{i}", wishes, 1.0) for i in range(10)]
    result = aggregate(spec_for(SHIRT_C, TIGHT), demands, k=1)
    model = result.models[0].configuration
    assert validate(SHIRT_C, model).valid
    assert not result.within.any()
    assert result.assignment(0).differences, "the person is told what had to change"


def test_each_person_reads_what_differs_and_what_is_as_asked() -> None:
    demands = [
        person(0, 1000, 900, sleeve=640, collar="kent"),
        person(1, 1000, 900, sleeve=648, collar="kent"),
        person(2, 1000, 900, sleeve=640, collar="kent"),
    ]
    result = aggregate(spec_for(SHIRT_C, TIGHT), demands, k=1)
    assert str(result.assignment(1)) == (
        "sleeve -8 mm, chest as you asked, waist as you asked, collar as you asked"
    )
    difference = result.assignment(1).differences[0]
    assert (difference.asked, difference.model, difference.change) == (648, 640, -8)
    assert difference.within


def test_a_colour_asked_by_its_code_is_that_colour() -> None:
    fridge = compile_template(REFRIGERATOR)
    demands = [Demand(f"f{i}", {"colour": "red", "capacity": 300}, 1.0) for i in range(3)]
    demands.append(Demand("by-code", {"colour": "#c8102e", "capacity": 300}, 1.0))
    result = aggregate(spec_for(fridge), demands, k=1)
    assert result.models[0].configuration["colour"] == "red"
    assert result.assignment(3).as_asked == ("capacity", "colour")
    assert result.coverage == 1.0


def test_a_high_cost_per_model_keeps_one_model_and_no_cost_keeps_the_least_mismatch() -> None:
    spec = spec_for(SHIRT_C, TIGHT)
    expensive = aggregate(spec, two_groups(), model_cost=1e9)
    assert expensive.k == 1
    free = aggregate(spec, two_groups(), model_cost=0.0, max_k=6)
    assert free.mismatch == min(p.mismatch for p in free.curve)


def test_the_same_seed_gives_the_same_models() -> None:
    spec = spec_for(SHIRT_C, TIGHT)
    demands = [person(i, 900 + (i * 37) % 400, 800 + (i * 53) % 300) for i in range(200)]
    first = aggregate(spec, demands, k=4, seed=5, effort=Effort(sample=100))
    again = aggregate(spec, demands, k=4, seed=5, effort=Effort(sample=100))
    assert [m.configuration for m in first.models] == [m.configuration for m in again.models]
    assert (first.labels == again.labels).all()


def test_the_map_places_every_demand_and_every_model() -> None:
    result = aggregate(spec_for(SHIRT_C, TIGHT), two_groups(), k=2)
    assert len(result.map.x) == len(result.map.y) == len(result.demands)
    assert len(result.map.model_x) == result.k
    small, large = result.labels[0], result.labels[-1]
    assert result.map.model_x[small] != result.map.model_x[large]


def test_bad_demands_are_refused_each_with_its_reason() -> None:
    demands = [
        Demand("a", {"chest": 1600}, 1.0),
        Demand("b", {"fit": "tight"}, 1.0),
        Demand("c", {"colour": "red"}, 1.0),
        Demand("d", {"chest": 1000}, 0.0),
        Demand("a", {"chest": 1000}, 1.0),
    ]
    with pytest.raises(DemandError) as caught:
        aggregate(spec_for(SHIRT_C, TIGHT), demands, k=1)
    problems = caught.value.problems
    assert [p.position for p in problems] == [0, 1, 2, 3, 4]
    assert "outside 680-1480 mm" in problems[0].message
    assert "not an option" in problems[2].message
    assert "earlier demand" in problems[4].message


@pytest.mark.parametrize(
    ("override", "words"),
    [
        (OptionSpec("sleeves"), "not an option"),
        (OptionSpec("chest", tolerance=0), "tolerance"),
        (OptionSpec("fit", order=("slim", "regular")), "each of its choices"),
        (OptionSpec("collar", cap=2.0), "only numbers"),
        (OptionSpec("monogram", weight=1.0), "free text"),
        (OptionSpec("chest", weight=-1), "weight"),
    ],
)
def test_a_spec_that_does_not_fit_the_template_names_the_option(
    override: OptionSpec, words: str
) -> None:
    with pytest.raises(SpecError, match=words):
        spec_for(SHIRT_C, [override])


def test_requests_that_cannot_be_answered_say_why() -> None:
    spec = spec_for(SHIRT_C, TIGHT)
    with pytest.raises(AggregationError, match="no demands"):
        aggregate(spec, [], k=1)
    with pytest.raises(AggregationError, match="between 1 and 2"):
        aggregate(spec, two_groups()[:2], k=3)
    with pytest.raises(AggregationError, match="exactly one"):
        aggregate(spec, two_groups(), k=2, coverage=0.9)
