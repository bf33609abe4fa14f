"""The analysis server: ``python -P -m c2m.engines.geometry.sandbox_server``, started by
:mod:`c2m.engines.geometry.sandbox` in each process that analyses uploads.

It imports the geometry engine and runs it once, then forks one child per job. A fork after the
imports starts in a millisecond with numpy, SciPy, trimesh, manifold3d and the PNG encoder ready,
and never re-runs the parent's ``__main__`` (the whole ``c2m`` command line, seconds per child)
as multiprocessing's spawn and fork server do. Each child runs under the job's memory cap and is
killed at its time limit. Jobs come on stdin and answers go to stdout, as frames; the server
ends, and kills its children, when stdin closes (its parent stopped it or died).
"""

from __future__ import annotations

import math
import os
import resource
import selectors
import signal
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import IO, NoReturn

from c2m.engines.geometry.errors import MeshError
from c2m.engines.geometry.frames import FrameError, Header, parse_frame, read_frame, write_frame
from c2m.engines.geometry.limits import Limits
from c2m.engines.geometry.units import Unit

ANSWER_LIMIT = 64 * 1024 * 1024  # an analysis and a thumbnail are a few kB; more is a runaway
CHUNK = 1 << 16


@dataclass
class Job:
    """One child at work: ``answer`` collects what it writes until it closes its pipe."""

    id: int
    pid: int
    pipe: int
    seconds: float
    deadline: float
    answer: bytearray = field(default_factory=bytearray)


class Server:
    def __init__(self, requests: IO[bytes], answers: IO[bytes]) -> None:
        self.requests = requests
        self.answers = answers
        self.selector = selectors.DefaultSelector()
        self.jobs: dict[int, Job] = {}  # by the read end of the child's pipe

    def serve(self) -> None:
        self.selector.register(self.requests, selectors.EVENT_READ)
        try:
            while True:
                for key, _ in self.selector.select(self._wait()):
                    if key.fileobj is not self.requests:
                        self._read_answer(self.jobs[key.fd])
                    elif not self._take_request():
                        return
                self._stop_late()
        finally:
            for job in list(self.jobs.values()):
                self._end(job, kill=True)

    def _wait(self) -> float | None:
        """Seconds until the next deadline; None (no timeout) while no child runs."""
        if not self.jobs:
            return None
        return max(0.0, min(job.deadline for job in self.jobs.values()) - time.monotonic())

    def _take_request(self) -> bool:
        frame = read_frame(self.requests)
        if frame is None:
            return False
        header, (data,) = frame
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            self._child(write, header, data)
        os.close(write)
        os.set_blocking(read, False)
        seconds = float(header["seconds"])
        job = Job(int(header["id"]), pid, read, seconds, time.monotonic() + seconds)
        self.jobs[read] = job
        self.selector.register(read, selectors.EVENT_READ)
        return True

    def _child(self, write: int, job: Header, data: bytes) -> NoReturn:
        """In the forked child: never returns into the server's loop, whatever happens."""
        status = 1
        try:
            self.requests.close()  # so that the parent sees the server's end when it dies,
            self.answers.close()  # not when its last orphaned child does
            memory = int(job["memory"])
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            # CPU seconds, on every core, bound a child even if the server died and cannot kill it
            cpu = math.ceil(float(job["seconds"])) * (os.cpu_count() or 1) + 2
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            header, blobs = analyse(job, data)
            with os.fdopen(write, "wb") as out:
                write_frame(out, header, blobs)
            status = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(status)

    def _read_answer(self, job: Job) -> None:
        chunk = os.read(job.pipe, CHUNK)
        if chunk and len(job.answer) + len(chunk) <= ANSWER_LIMIT:
            job.answer += chunk
            return
        status = self._end(job, kill=bool(chunk))
        try:
            header, blobs = parse_frame(bytes(job.answer))
        except FrameError:
            ended = (
                f"killed by signal {signal.Signals(-status).name}"
                if status < 0
                else f"exit code {status}"
            )
            message = f"The analysis process stopped without an answer ({ended})."
            header, blobs = {"code": "crashed", "message": message}, []
        self._answer(job, header, tuple(blobs))

    def _stop_late(self) -> None:
        now = time.monotonic()
        for job in [job for job in self.jobs.values() if job.deadline <= now]:
            self._end(job, kill=True)
            message = f"The analysis did not finish within {job.seconds:g} s and was stopped."
            self._answer(job, {"code": "timeout", "message": message})

    def _end(self, job: Job, *, kill: bool) -> int:
        """Forget the child, killed first if asked; its exit code (negative: the signal)."""
        if kill:
            os.kill(job.pid, signal.SIGKILL)
        self.selector.unregister(job.pipe)
        os.close(job.pipe)
        del self.jobs[job.pipe]
        _, status = os.waitpid(job.pid, 0)
        return os.waitstatus_to_exitcode(status)

    def _answer(self, job: Job, header: Header, blobs: tuple[bytes, ...] = ()) -> None:
        write_frame(self.answers, {**header, "id": job.id}, blobs)


def analyse(job: Header, data: bytes) -> tuple[Header, tuple[bytes, ...]]:
    """The child's work: the analysis and the thumbnail, or a code and a sentence."""
    from c2m.engines.geometry.analysis import analyze_bytes
    from c2m.engines.geometry.thumbnail import render_png

    unit = Unit(job["unit"]) if job["unit"] else None
    try:
        analysis, triangles = analyze_bytes(data, unit, Limits(**job["limits"]))
        if not job["thumbnail"]:
            return {"analysis": asdict(analysis)}, ()
        picture = render_png(triangles, outward=analysis.valid_solid)
        return {"analysis": asdict(analysis)}, (picture,)
    except MeshError as exc:
        return {"code": exc.code, "message": exc.message}, ()
    except MemoryError:
        return {
            "code": "memory",
            "message": "The model needs more memory than an analysis may use.",
        }, ()
    except Exception as exc:
        return {
            "code": "analysis_failed",
            "message": f"The model could not be analysed: {exc!r}.",
        }, ()


def warm() -> None:
    """One small analysis and thumbnail (two bodies: the union too), so every child starts with
    the lazy imports and first-call set-up of numpy, SciPy, manifold3d and the PNG encoder done."""
    import numpy as np
    import trimesh

    from c2m.engines.geometry.analysis import analyze
    from c2m.engines.geometry.thumbnail import render_png

    cube = np.asarray(trimesh.creation.box(extents=(20.0, 20.0, 20.0)).triangles)
    analysis, triangles = analyze(np.concatenate([cube, cube + 30.0]))
    render_png(triangles, outward=analysis.valid_solid)


def main() -> None:
    """Serve on the pipes the parent gave as stdin and stdout; anything a library prints goes to
    stderr instead of into the answers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    requests = os.fdopen(os.dup(0), "rb", buffering=0)
    answers = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    started = time.perf_counter()
    warm()
    ready = {"pid": os.getpid(), "seconds": time.perf_counter() - started}
    write_frame(answers, {**ready, "modules": sorted(sys.modules)})
    Server(requests, answers).serve()


if __name__ == "__main__":
    main()
