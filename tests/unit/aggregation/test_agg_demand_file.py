"""A CSV of demands: bad rows come back with their line numbers and reasons, never dropped."""

from __future__ import annotations

import pytest

from c2m.demo.templates import REFRIGERATOR, SHIRT
from c2m.engines.aggregation.demand_file import DemandFileError, read_demands
from c2m.engines.configurator import compile_template

SHIRT_C = compile_template(SHIRT)


def test_good_rows_become_demands_and_bad_rows_are_reported_by_line() -> None:
    text = [
        "id,weight,chest,fit,collar\n",
        "ann,2,1000,slim,kent\n",
        "\n",
        "bob,,1010,,\n",
        "cid,1,wide,slim,kent\n",
        "dan,1,1000,slim\n",
        "ann,1,1000,slim,kent\n",
        ",1,990,relaxed,cutaway\n",
    ]
    read = read_demands(text, SHIRT_C)
    assert [d.id for d in read.demands] == ["ann", "bob", "line 8"]
    assert read.lines == (2, 4, 8)
    assert read.demands[0].weight == 2
    assert read.demands[1].values == {"chest": 1010.0}  # empty cells are options left open
    assert [(b.line, b.message) for b in read.bad_rows] == [
        (5, "chest must be a number, not 'wide'"),
        (6, "4 fields where the header has 5"),
        (7, "the id 'ann' is used by an earlier row"),
    ]


def test_yes_no_options_read_words_and_refuse_others() -> None:
    compiled = compile_template(REFRIGERATOR)
    read = read_demands(["capacity,ice_maker\n", "300,yes\n", "350,no\n", "400,maybe\n"], compiled)
    assert [d.values["ice_maker"] for d in read.demands] == [True, False]
    assert read.bad_rows[0].line == 4
    assert "yes or no" in read.bad_rows[0].message


def test_a_header_with_an_unknown_column_is_refused_at_once() -> None:
    with pytest.raises(DemandFileError, match="'colour' is not an option"):
        read_demands(["id,colour\n", "a,red\n"], SHIRT_C)
    with pytest.raises(DemandFileError, match="empty"):
        read_demands([], SHIRT_C)
