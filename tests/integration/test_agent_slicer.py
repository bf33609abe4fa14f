"""The agent's slicer as a subprocess (issue 15): what it runs, and what it says when the slicer
is missing, fails or hangs. Stand-in slicers are small shell scripts written by the test; the
real PrusaSlicer's part is in test_agent_jobs.py.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest

from c2m.agent.slicer import Slicer, SlicingError, bed_centre
from tests.conftest import run_async


def script(folder: Path, body: str) -> str:
    """An executable stand-in slicer in ``folder`` that runs ``body`` (sh)."""
    path = folder / "slicer"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


def gone(pid: int) -> bool:
    """No such process, or only its exit status left for its parent to collect."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except FileNotFoundError:
        return True


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the slicer's temporary folders go, to see that none is left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_the_command_loads_the_profile_and_centres_the_part_on_its_bed(tmp_path: Path) -> None:
    profile = tmp_path / "mk4.ini"
    profile.write_text("# exported by PrusaSlicer\nbed_shape = 0x0,250x0,250x210,0x210\n")
    assert bed_centre(profile) == (125, 105)
    assert Slicer("prusa-slicer", profile).command("clip.stl") == [
        "prusa-slicer",
        "--export-gcode",
        "--load",
        str(profile),
        "--center",
        "125,105",
        "--output",
        "sliced.gcode",
        "clip.stl",
    ]
    default = Slicer("prusa-slicer").command("--output.stl")
    assert default[2:4] == ["--center", "100,100"]  # PrusaSlicer's own 200 mm bed
    assert default[-1] == "./--output.stl"  # a file name never becomes an option


def test_a_failing_slicer_is_told_by_its_last_line(tmp_path: Path, scratch: Path) -> None:
    said = "[2026-12-07 10:54:06] [0x7f45] [error]   " + "the object is too large " * 10
    slicer = Slicer(script(tmp_path, f"echo slicing...\necho '{said}' >&2\nexit 3"))
    with pytest.raises(SlicingError) as failed:
        run_async(slicer.slice("clip.stl", b"solid clip\nendsolid clip\n"))
    reason = str(failed.value)
    assert reason.startswith("the slicer failed (exit status 3): the object is too large the")
    assert reason.endswith("…")
    assert len(reason) < 160
    assert list(scratch.iterdir()) == []


def test_a_slicer_that_writes_nothing_is_a_failure(tmp_path: Path) -> None:
    slicer = Slicer(script(tmp_path, "exit 0"))
    with pytest.raises(SlicingError, match="the slicer finished without writing G-code"):
        run_async(slicer.slice("clip.stl", b"solid clip\nendsolid clip\n"))


def test_a_slicer_that_hangs_is_stopped_at_its_time_limit(tmp_path: Path, scratch: Path) -> None:
    child = tmp_path / "child.pid"
    hangs = script(tmp_path, f"sleep 60 &\necho $! > {child}\nwait")
    started = time.monotonic()
    with pytest.raises(SlicingError, match=r"^the slicer took longer than 0\.5 s$"):
        run_async(Slicer(hangs, timeout_s=0.5).slice("clip.stl", b"solid clip\nendsolid clip\n"))
    assert time.monotonic() - started < 5
    assert gone(int(child.read_text()))  # what the slicer started is stopped with it
    assert list(scratch.iterdir()) == []


def test_a_missing_slicer_says_what_to_do(tmp_path: Path) -> None:
    missing = Slicer(str(tmp_path / "nowhere" / "prusa-slicer"))
    with pytest.raises(SlicingError) as failed:
        run_async(missing.slice("clip.stl", b"solid clip\nendsolid clip\n"))
    assert str(failed.value) == (
        "the slicer 'prusa-slicer' cannot be started (No such file or directory): "
        "install PrusaSlicer or pass --slicer"
    )
