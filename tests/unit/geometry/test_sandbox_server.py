"""The analysis server behind the sandbox: a light process that never loads the command line or
the web app, comes back when it is killed (a job it held is answered by the next one), and does
not outlive the process that started it. Like every test of the session, these use the
process's one server (``default_server``), started once; only killing it or starting another
process costs another start."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from geo_support import binary_stl, box_triangles

from c2m.engines.geometry.sandbox import Outcome, analyze_in_sandbox, default_server, warm_up

CUBE_20 = binary_stl(box_triangles((20.0, 20.0, 20.0)))


def gone(pid: int) -> bool:
    """No such process, or only its zombie (a container's init may not reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def children(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()


def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"not within {seconds} s")


def test_the_server_loads_neither_the_command_line_nor_the_web_app() -> None:
    for module in ("c2m.cli.main", "c2m.web.app"):
        importlib.import_module(module)  # this process has them; the server it starts must not
    warm_up()
    loaded = set(default_server().modules)
    assert "trimesh" in loaded  # imported once there, inherited by every child
    assert not {m for m in loaded if m.split(".")[0] in {"fastapi", "sqlalchemy", "typer"}}
    assert not {m for m in loaded if m.startswith(("c2m.cli", "c2m.web", "c2m.domains"))}


def test_a_killed_server_is_replaced_and_the_next_part_is_analysed() -> None:
    warm_up()
    server = default_server()
    first = server.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: server.pid not in {None, first} and not gone(server.pid or first))
    outcome = analyze_in_sandbox(CUBE_20)
    assert outcome.analysis is not None, outcome.message
    assert outcome.analysis.volume == pytest.approx(8000.0)


def test_a_job_held_by_a_killed_server_is_answered_by_the_next() -> None:
    warm_up()
    slow = binary_stl(np.tile(box_triangles((10.0, 10.0, 10.0)), (20000, 1, 1)))
    outcomes: list[Outcome] = []
    job = threading.Thread(target=lambda: outcomes.append(analyze_in_sandbox(slow)))
    server = default_server().pid or 0
    job.start()
    wait_for(lambda: bool(children(server)))  # the child is at work on the job
    os.kill(server, signal.SIGKILL)
    job.join(120)
    (outcome,) = outcomes
    assert outcome.analysis is not None, outcome.message
    assert outcome.analysis.triangles == 12 * 20000


@pytest.mark.parametrize("ending", ["exits", "is killed"])
def test_the_server_ends_with_the_process_that_started_it(ending: str) -> None:
    script = (
        "from c2m.engines.geometry.sandbox import default_server, warm_up\n"
        "warm_up(); print(default_server().pid, flush=True); input()\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    assert parent.stdin is not None
    pid = int(parent.stdout.readline())
    assert not gone(pid)
    if ending == "exits":
        parent.stdin.write("\n")
        parent.stdin.flush()
    else:
        parent.kill()
    parent.wait(30)
    wait_for(lambda: gone(pid), 10)
