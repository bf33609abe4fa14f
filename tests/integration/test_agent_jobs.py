"""What ``c2m agent`` refuses before a printer moves (issue 15, item 2): a job it cannot do, a
file from elsewhere or with the wrong hash, a busy printer, an expired lease, a mesh it has no
slicer for or the slicer cannot slice; and a mesh sliced with the maker's profile (the real
PrusaSlicer). The file comes from a real HTTP server; the printer is a stand-in that records
what it was asked to print.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from c2m.agent.journal import Journal
from c2m.agent.machine import Agent, Identity, Refused
from c2m.agent.slicer import Slicer
from c2m.domains.factory.contract import Artifact, Command, JobDocument, OperationParameters
from c2m.domains.factory.vocabulary import MachineState
from c2m.kernel.mqtt import BrokerConnection
from tests.agent_support import StandIn, serving
from tests.api.quoting_support import box_stl
from tests.conftest import run_async
from tests.slicer_support import SLICER, tiny_profile

GCODE = b"G28\nG1 X10 Y10\n"


@pytest.fixture
def files() -> Iterator[str]:
    """Serves GCODE at any path, to any login: the agent's own checks are under test."""
    with serving(GCODE) as url:
        yield url


def command(
    url: str,
    *,
    name: str = "part.gcode",
    data: bytes = GCODE,
    sha256: str | None = None,
    capability: str = "fdm-print",
    lease_expires: int | None = None,
) -> Command:
    expires = int(time.time() * 1000) + 60_000
    artifact = Artifact(
        url=f"{url}/machine-files/op1?expires={expires}&sig=x",
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        size=len(data),
        media_type="text/x.gcode",
        filename=name,
        expires=expires,
    )
    job = JobDocument(
        product="Bracket",
        quantity=1,
        operation=OperationParameters(step="make", name="Make", capability=capability, nominal_s=9),
        artifact=artifact,
    )
    return Command(
        operation_id="op1",
        attempt_id="a1",
        nominal_s=9,
        capability=capability,
        lease_expires=lease_expires if lease_expires is not None else expires,
        job=job,
    )


def agent(platform: str, printer: StandIn, slicer: Slicer | None = None) -> Agent:
    identity = Identity("home", "prusa-1", "s3cret", platform)
    broker = BrokerConnection("127.0.0.1", 1)
    return Agent(broker, identity, printer, slicer=slicer, poll_s=0.01)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"capability": "cnc-mill"}, "machine cannot cnc-mill"),
        ({"name": "part.step"}, "this printer prints .gcode files, not 'part.step'"),
        (
            {"name": "part.stl"},
            "this printer prints .gcode files and no slicer is set up for 'part.stl': "
            "install PrusaSlicer or pass --slicer",
        ),
        ({"sha256": "0" * 64}, "artifact hash mismatch"),
        ({"lease_expires": 1}, "lease expired"),
    ],
)
def test_a_job_the_printer_cannot_or_may_not_do_is_refused_with_its_reason(
    files: str, change: dict[str, Any], reason: str
) -> None:
    printer = StandIn()
    with pytest.raises(Refused) as refused:
        run_async(agent(files, printer).make(command(files, **change)))
    assert str(refused.value) == reason
    assert printer.printed == []


def test_the_secret_goes_to_the_platforms_address_only(files: str) -> None:
    printer = StandIn()
    elsewhere = files.replace("127.0.0.1", "localhost")
    with pytest.raises(Refused, match=r"artifact link is not under http://127\.0\.0\.1:"):
        run_async(agent(files, printer).make(command(elsewhere)))
    assert printer.printed == []


def test_the_printer_gets_a_plain_name_of_its_own_for_each_attempt(files: str) -> None:
    printer = StandIn()
    run_async(agent(files, printer).make(command(files, name="my bracket (v2).gcode")))
    assert printer.printed == [("my_bracket_v2_-a1.gcode", GCODE)]


def test_a_busy_printer_refuses_the_job(files: str) -> None:
    printer = StandIn(MachineState.RUNNING)
    with pytest.raises(Refused, match="the printer is not ready: printing another"):
        run_async(agent(files, printer).make(command(files)))
    assert printer.printed == []


def test_a_mesh_is_sliced_with_the_makers_profile_and_printed_as_gcode(tmp_path: Path) -> None:
    printer, mesh = StandIn(), box_stl((5, 5, 5))
    slicer = Slicer(SLICER, tiny_profile(tmp_path))
    with serving(mesh) as url:
        run_async(agent(url, printer, slicer).make(command(url, name="my clip.STL", data=mesh)))
    [(name, gcode)] = printer.printed
    assert name == "my_clip-a1.gcode"
    assert b"\nG28\n" in gcode  # the profile's start G-code
    xs = [float(word[1:]) for word in gcode.decode().split() if word.startswith("X")]
    assert xs
    assert all(55 < x < 65 for x in xs)  # on the middle of the profile's 120 mm wide bed


def test_a_mesh_the_slicer_cannot_read_is_refused_with_the_slicers_words(tmp_path: Path) -> None:
    printer, empty = StandIn(), b"solid nothing\nendsolid nothing\n"
    slicer = Slicer(SLICER, tiny_profile(tmp_path))
    with serving(empty) as url, pytest.raises(Refused) as refused:
        run_async(agent(url, printer, slicer).make(command(url, name="bracket.stl", data=empty)))
    assert str(refused.value) == (
        "cannot slice 'bracket.stl': the slicer failed (exit status 1): "
        "bracket.stl: Loading of a model file failed."
    )
    assert printer.printed == []


def test_accepted_attempts_outlive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    journal = Journal(path)
    journal.accept("a1")
    journal.start("a1")
    again = Journal(path)
    assert "a1" in again
    assert again.running == "a1"  # lost with the restart: the next birth says it is aborted
    path.write_text("not json")
    assert "a1" not in Journal(path)  # a broken journal is replaced, not a crash
