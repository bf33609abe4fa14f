"""Run the analysis of untrusted bytes in a child process with an address-space cap and a
deadline. The caller always gets an ``Outcome``: a result, or a code and a sentence; a child that
hangs is killed, one that runs out of memory or crashes is reported, never the caller."""

from __future__ import annotations

import multiprocessing
import resource
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

from c2m.engines.geometry.analysis import Analysis, analyze_bytes
from c2m.engines.geometry.errors import MeshError
from c2m.engines.geometry.limits import DEFAULT_LIMITS, Limits
from c2m.engines.geometry.thumbnail import render_png
from c2m.engines.geometry.units import Unit

PRELOAD = ["c2m.engines.geometry.preload"]  # imports the engine and runs it once


@dataclass(frozen=True, slots=True)
class Outcome:
    """``analysis`` is set on success; otherwise ``code`` and ``message`` say why not."""

    analysis: Analysis | None
    thumbnail: bytes | None
    code: str | None
    message: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.analysis is not None


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    seconds: float = 20.0
    memory_bytes: int = 3 * 1024**3


def _context() -> multiprocessing.context.ForkServerContext:
    """A fork server: children start from a clean process that already imported the engine,
    so no web-server threads or sockets are inherited and start-up costs milliseconds."""
    context = multiprocessing.context.ForkServerContext()
    context.set_forkserver_preload(PRELOAD)
    return context


def warm_up() -> None:
    """Start the fork server now (a worker calls this once) instead of on the first upload."""
    analyze_in_sandbox(b"", thumbnail=False)


def analyze_in_sandbox(
    data: bytes,
    unit: Unit | None = None,
    *,
    thumbnail: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    sandbox: SandboxLimits = SandboxLimits(),
) -> Outcome:
    started = time.perf_counter()
    receive, send = multiprocessing.Pipe(duplex=False)
    child = _context().Process(
        target=_child, args=(send, data, unit, thumbnail, limits, sandbox.memory_bytes), daemon=True
    )
    child.start()
    send.close()
    try:
        if receive.poll(sandbox.seconds):
            try:
                result: tuple[Analysis | None, bytes | None, str | None, str | None]
                result = receive.recv()
            except EOFError:
                result = (None, None, "crashed", _death(child))
        else:
            child.kill()
            result = (
                None,
                None,
                "timeout",
                f"The analysis did not finish within {sandbox.seconds:g} s and was stopped.",
            )
    finally:
        receive.close()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    return Outcome(*result, seconds=time.perf_counter() - started)


def _death(child: multiprocessing.process.BaseProcess) -> str:
    child.join(5)
    return f"The analysis process stopped without an answer (exit code {child.exitcode})."


def _child(
    send: Connection,
    data: bytes,
    unit: Unit | None,
    thumbnail: bool,
    limits: Limits,
    memory: int,
) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        analysis, triangles = analyze_bytes(data, unit, limits)
        picture = render_png(triangles, outward=analysis.valid_solid) if thumbnail else None
        send.send((analysis, picture, None, None))
    except MeshError as exc:
        send.send((None, None, exc.code, exc.message))
    except MemoryError:
        send.send((None, None, "memory", "The model needs more memory than an analysis may use."))
    except Exception as exc:
        send.send((None, None, "analysis_failed", f"The model could not be analysed: {exc!r}."))
    finally:
        send.close()
