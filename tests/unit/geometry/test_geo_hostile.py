"""Hostile uploads through the sandbox: a precise refusal or a verdict within 10 s, never an
exception escaping or a hang."""

from __future__ import annotations

import numpy as np
import pytest
from geo_support import bench_files, needs_bench
from tests.hostile_parts import CUBE, CUBE_XML, HOSTILE, MODEL, binary_stl, zipped

from c2m.engines.geometry.sandbox import SandboxLimits, analyze_in_sandbox


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_input_is_refused_precisely(name: str) -> None:
    data, code = HOSTILE[name]
    outcome = analyze_in_sandbox(data, sandbox=SandboxLimits(seconds=10))
    assert outcome.seconds < 10
    assert not outcome.ok
    assert outcome.message
    if code is not None:
        assert outcome.code == code, outcome.message


def test_a_valid_3mf_is_read() -> None:
    outcome = analyze_in_sandbox(zipped({MODEL: CUBE_XML.encode()}))
    assert outcome.analysis is not None, outcome.message
    assert outcome.analysis.volume == pytest.approx(1000.0)
    assert outcome.thumbnail is not None
    assert outcome.thumbnail.startswith(b"\x89PNG")


def test_a_hang_is_killed_and_reported() -> None:
    big = binary_stl(np.tile(CUBE, (20000, 1, 1)))
    outcome = analyze_in_sandbox(big, sandbox=SandboxLimits(seconds=0.05))
    assert (outcome.code, outcome.ok) == ("timeout", False)


def test_the_memory_cap_is_reported() -> None:
    many = binary_stl(np.tile(CUBE, (20000, 1, 1)))  # needs fresh allocations, beyond the cap
    outcome = analyze_in_sandbox(many, sandbox=SandboxLimits(memory_bytes=64 * 1024**2))
    assert outcome.code in {"memory", "crashed"}


@needs_bench
def test_every_broken_bench_file_through_the_sandbox() -> None:
    for path in bench_files("broken"):
        outcome = analyze_in_sandbox(path.read_bytes(), sandbox=SandboxLimits(seconds=10))
        assert outcome.seconds < 10, path.name
        assert outcome.ok or (outcome.code and outcome.message), path.name
        if outcome.analysis is not None and not outcome.analysis.valid_solid:
            assert outcome.analysis.volume is None
