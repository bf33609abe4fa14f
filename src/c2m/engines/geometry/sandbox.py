"""Run the analysis of untrusted bytes in a child process with an address-space cap and a
deadline. The caller always gets an ``Outcome``: a result, or a code and a sentence; a child that
hangs is killed, one that runs out of memory or crashes is reported, never the caller.

The children are forked by one analysis server per process (:mod:`sandbox_server`), started
with a light entry point on the first analysis, started again if it died, and stopped when the
process exits. This module stays light: the web tier imports it and never loads the engine.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import itertools
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from c2m.engines.geometry.frames import FrameError, Header, read_frame, write_frame
from c2m.engines.geometry.limits import DEFAULT_LIMITS, Limits
from c2m.engines.geometry.measures import Analysis
from c2m.engines.geometry.units import Unit

log = logging.getLogger(__name__)
SERVER_MODULE = "c2m.engines.geometry.sandbox_server"
START_SECONDS = 60.0  # importing and warming the engine on a busy machine
GRACE_SECONDS = 5.0  # beyond a job's own limit, before the server itself counts as stuck
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


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


class ServerLost(Exception):
    """The analysis server ended before it answered."""


class ServerUnavailable(Exception):
    """The analysis server could not be started; the message says why."""


class Connection:
    """One running analysis server: jobs go in under an id, a reader thread hands each answer
    to the job waiting for it; when the server ends, every waiting job learns so at once, and
    ``on_lost`` is called unless :meth:`stop` ended it."""

    def __init__(self, process: subprocess.Popen[bytes], on_lost: Callable[[], None]) -> None:
        self.process = process
        self.on_lost = on_lost
        self.modules: list[str] = []  # what the server had imported when it became ready
        self._ready: Future[None] = Future()
        self._waiting: dict[int, Future[tuple[Header, list[bytes]]]] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._lost = False
        self._stopping = False
        self._reader = threading.Thread(target=self._read, name="analysis-server", daemon=True)

    @classmethod
    def start(cls, on_lost: Callable[[], None]) -> Connection:
        env = dict(os.environ)
        for name in ONE_THREAD:  # one core per analysis: the slots are the parallelism
            env.setdefault(name, "1")
        try:
            process = subprocess.Popen(  # noqa: S603 (our interpreter, our module, no shell)
                [sys.executable, "-P", "-m", SERVER_MODULE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
        except OSError as exc:
            raise ServerUnavailable(f"The analysis service could not start: {exc}.") from exc
        connection = cls(process, on_lost)
        connection._reader.start()
        try:
            connection._ready.result(START_SECONDS)
        except (ServerLost, TimeoutError) as exc:
            connection.stop()
            reason = "it stopped" if isinstance(exc, ServerLost) else f"{START_SECONDS:g} s passed"
            raise ServerUnavailable(f"The analysis service could not start ({reason}).") from exc
        return connection

    @property
    def alive(self) -> bool:
        return not self._lost and self.process.poll() is None

    def ask(self, job: Header, data: bytes, timeout: float) -> tuple[Header, list[bytes]]:
        """The server's answer to ``job``; ServerLost if it ended first, TimeoutError if it
        gave none within ``timeout`` seconds."""
        answer: Future[tuple[Header, list[bytes]]] = Future()
        with self._lock:
            if self._lost:
                raise ServerLost
            self._waiting[job["id"]] = answer
        try:
            self._send(job, data)
            return answer.result(timeout)
        finally:
            with self._lock:
                self._waiting.pop(job["id"], None)

    def _send(self, job: Header, data: bytes) -> None:
        assert self.process.stdin is not None
        with self._write_lock:
            try:
                write_frame(self.process.stdin, job, (data,))
            except OSError as exc:  # the pipe broke under the write: the server is gone
                raise ServerLost from exc

    def stop(self) -> None:
        """Close the server's stdin (it kills its children and exits); kill it if it lingers."""
        assert self.process.stdin is not None
        self._stopping = True
        with contextlib.suppress(OSError):  # it had died already
            self.process.stdin.close()
        try:
            self.process.wait(GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(GRACE_SECONDS)

    def _read(self) -> None:
        assert self.process.stdout is not None
        ready = None
        try:
            ready = read_frame(self.process.stdout)
            if ready is not None:
                self.modules = list(ready[0]["modules"])
                log.debug(
                    "analysis server %s ready in %.1f s", ready[0]["pid"], ready[0]["seconds"]
                )
                self._ready.set_result(None)
                while (frame := read_frame(self.process.stdout)) is not None:
                    with self._lock:
                        waiting = self._waiting.get(frame[0]["id"])
                    if waiting is not None:
                        waiting.set_result(frame)
        except FrameError:
            log.exception("the analysis server sent a broken frame")
        finally:
            with self._lock:
                self._lost = True
                pending: list[Future[Any]] = [self._ready, *self._waiting.values()]
            for future in pending:
                if not future.done():
                    future.set_exception(ServerLost())
            if ready is not None and not self._stopping:
                self.on_lost()


class AnalysisServer:
    """The handle on one analysis server: started on first use (or by :meth:`start`), started
    again at once when it dies, stopped for good by :meth:`close`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._ids = itertools.count(1)
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The running server's process id (for operators and tests), None before it starts."""
        return None if self._connection is None else self._connection.process.pid

    @property
    def modules(self) -> list[str]:
        """The modules the server had imported when it became ready."""
        return [] if self._connection is None else self._connection.modules

    def start(self) -> Connection:
        """The running server, started first if there is none or it died."""
        with self._lock:
            if self._closed:
                raise ServerUnavailable("The analysis service has been shut down.")
            if self._connection is not None and self._connection.alive:
                return self._connection
            if self._connection is not None:
                self._connection.stop()  # reaps the dead process
            self._connection = None
            self._connection = Connection.start(self._on_lost)
            return self._connection

    def analyze(
        self,
        data: bytes,
        unit: Unit | None,
        thumbnail: bool,
        limits: Limits,
        sandbox: SandboxLimits,
    ) -> Outcome:
        started = time.perf_counter()
        job: Header = {
            "id": next(self._ids),
            "unit": unit,
            "thumbnail": thumbnail,
            "limits": asdict(limits),
            "seconds": sandbox.seconds,
            "memory": sandbox.memory_bytes,
        }
        code, message = "crashed", "The analysis service stopped twice while reading the model."
        for _ in range(2):  # the server never reads the file, so one that died was killed: retry
            try:
                connection = self.start()
                header, blobs = connection.ask(job, data, sandbox.seconds + GRACE_SECONDS)
            except ServerUnavailable as exc:
                code, message = "unavailable", str(exc)
                break
            except ServerLost:
                continue
            except TimeoutError:
                self._stop_stuck(connection)
                code = "timeout"
                message = (
                    f"The analysis did not finish within {sandbox.seconds:g} s and was stopped."
                )
                break
            return _outcome(header, blobs, time.perf_counter() - started)
        return Outcome(None, None, code, message, time.perf_counter() - started)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._connection is not None:
                self._connection.stop()
            self._connection = None

    def _on_lost(self) -> None:
        """The server died (killed, out of memory): start the next one now, so that the next
        upload does not wait for it."""
        log.warning("the analysis server %s stopped; starting another", self.pid)
        threading.Thread(target=self._restart, name="analysis-server-restart", daemon=True).start()

    def _restart(self) -> None:
        try:
            self.start()
        except ServerUnavailable as exc:
            log.error("%s The next analysis tries again.", exc)

    def _stop_stuck(self, connection: Connection) -> None:
        log.error("the analysis server %s gave no answer in time; stopping it", self.pid)
        connection.process.kill()


@functools.cache
def _analysis_adapter() -> TypeAdapter[Analysis]:
    return TypeAdapter(Analysis)


def _outcome(header: Header, blobs: list[bytes], seconds: float) -> Outcome:
    """The answer as an Outcome, validated: it comes from a child that read a hostile file."""
    if header.get("analysis") is None:
        code = str(header.get("code") or "crashed")
        message = str(header.get("message") or "The analysis gave no reason.")
        return Outcome(None, None, code, message, seconds)
    try:
        analysis = _analysis_adapter().validate_python(header["analysis"])
    except ValidationError:
        message = "The analysis process gave an answer that could not be read."
        return Outcome(None, None, "crashed", message, seconds)
    return Outcome(analysis, blobs[0] if blobs else None, None, None, seconds)


class _Default:
    """The process's own server; a forked copy of the process gets a new one."""

    server: AnalysisServer | None = None
    pid = 0
    lock = threading.Lock()


def default_server() -> AnalysisServer:
    with _Default.lock:
        if _Default.server is None or _Default.pid != os.getpid():
            _Default.server, _Default.pid = AnalysisServer(), os.getpid()
        return _Default.server


@atexit.register
def _close_default() -> None:
    if _Default.server is not None and _Default.pid == os.getpid():
        _Default.server.close()


def warm_up() -> None:
    """Start this process's analysis server now instead of on the first upload."""
    default_server().start()


def analyze_in_sandbox(
    data: bytes,
    unit: Unit | None = None,
    *,
    thumbnail: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    sandbox: SandboxLimits = SandboxLimits(),
) -> Outcome:
    return default_server().analyze(data, unit, thumbnail, limits, sandbox)
