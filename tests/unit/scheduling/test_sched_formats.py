"""Reading every supported instance format, and clear errors for broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from sched_support import FT06, instances
from tests.bench_data import BENCH, needs_bench

from c2m.engines.scheduling.formats import (
    FormatError,
    instance_to_json,
    parse_json,
    parse_text,
    read_instance,
    with_due_dates,
)
from c2m.engines.scheduling.model import Instance, Mode

TAILLARD = """Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound
2 3 840612802 398197754 1231 1005
Times
5 6 7
1 2 3
Machines
1 2 3
3 2 1
"""
BRANDIMARTE = """2 3 1.5
2 2 1 4 2 2 1 3 5
1 1 3 7
"""


def test_standard_format() -> None:
    instance = parse_text(FT06, "ft06")
    assert (len(instance.jobs), len(instance.machines), len(instance.operations)) == (6, 6, 36)
    assert instance.operations[0].modes == (Mode(2, 1),)
    assert instance.operations[1].predecessors == (0,)


def test_taillard_format_with_labels_and_one_based_machines() -> None:
    instance = parse_text(TAILLARD, "tai")
    assert [op.modes[0] for op in instance.operations[3:]] == [Mode(2, 1), Mode(1, 2), Mode(0, 3)]


def test_taillard_format_without_labels() -> None:
    bare = "\n".join(line for line in TAILLARD.splitlines()[1:] if line[0].isdigit())
    bare = "2 3\n" + bare.split("\n", 1)[1]
    assert parse_text(bare, "t").operations == parse_text(TAILLARD, "t").operations


def test_brandimarte_flexible_format() -> None:
    instance = parse_text(BRANDIMARTE, "mk")
    assert instance.operations[0].modes == (Mode(0, 4), Mode(1, 2))
    assert instance.operations[1].modes == (Mode(2, 5),)
    assert instance.operations[2].modes == (Mode(2, 7),)
    assert instance.is_flexible


def test_benchmark_json_records() -> None:
    records = {
        "instance": "tiny",
        "machines": 2,
        "jobs": 1,
        "data": [
            {"job": 0, "operation": 1, "machine": 0, "duration": 3},
            {"job": 0, "operation": 0, "machine": 1, "duration": 2},
        ],
    }
    instance = parse_json(json.dumps(records), "x")
    assert [op.modes[0] for op in instance.operations] == [Mode(1, 2), Mode(0, 3)]


@settings(max_examples=30, deadline=None)
@given(instances(max_ops=8))
def test_c2m_json_round_trips(instance: Instance) -> None:
    again = parse_json(json.dumps(instance_to_json(instance)), "x")
    assert again.operations == instance.operations
    assert again.jobs == instance.jobs
    assert again.windows == instance.windows
    assert dict(again.setups) == dict(instance.setups)


@pytest.mark.parametrize(
    ("text", "suffix", "words"),
    [
        ("", ".txt", "empty"),
        ("2 2\n0 5 1 x\n", ".txt", "whole numbers"),
        ("2 2\n0 5 1 4\n", ".txt", "ends too early"),
        ("1 2\n0 5 7 4\n", ".txt", "machine 7"),
        ("1 2\n0 5 1\n", ".txt", "pairs"),
        ("2 3 1\n2 1 1 4\n", ".txt", "cut short"),
        ("{", ".json", "not valid JSON"),
        ('{"operations": [], "machines": ["a"], "jobs": "x"}', ".json", "must be list"),
        (
            '{"machines": ["a"], "jobs": [{}], "operations": [{"job": 0, "modes": [{"machine": 0, '
            '"duration": 1}], "predecessors": [0]}]}',
            ".json",
            "invalid predecessor",
        ),
        ("[1, 2]", ".json", "operations"),
    ],
)
def test_broken_files_say_what_is_wrong(tmp_path: Path, text: str, suffix: str, words: str) -> None:
    path = tmp_path / f"broken{suffix}"
    path.write_text(text)
    with pytest.raises(FormatError, match=words):
        read_instance(path)


def test_a_missing_file_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="cannot read"):
        read_instance(tmp_path / "nope.txt")


@needs_bench
@pytest.mark.parametrize(
    ("name", "operations"),
    [
        ("jobshop/instances/ft10.txt", 100),
        ("jobshop/instances/ta01js.txt", 225),
        ("jobshop/instances/bel00.json", 5372),
        ("fjsp/brandimarte/mk10.txt", 240),
    ],
)
def test_benchmark_files_load(name: str, operations: int) -> None:
    assert len(read_instance(BENCH / name).operations) == operations


def test_due_dates_follow_singer_and_pinedo() -> None:
    instance = parse_text(FT06, "ft06")
    tardy = with_due_dates(instance, 1.5)
    work = [sum(op.min_duration for op in instance.operations if op.job == j) for j in range(6)]
    assert [job.due for job in tardy.jobs] == [int(1.5 * w) for w in work]
    assert [job.weight for job in tardy.jobs] == [4, 4, 2, 2, 2, 1]  # 20 %, 60 %, 20 %
    assert tardy.operations == instance.operations
    with pytest.raises(FormatError, match="positive"):
        with_due_dates(instance, 0)
