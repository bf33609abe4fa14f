"""What an anytime solver is given (its budget) and reports while it works."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    """Best primary objective so far, its proven lower bound (if any), seconds since start."""

    solver: str
    objective: int
    bound: int | None
    elapsed: float


ProgressCallback = Callable[[Progress], None]


class Reporter:
    """Forwards only improvements, stamped with the time since the whole solve began."""

    def __init__(self, callback: ProgressCallback | None, started: float | None = None) -> None:
        self.callback = callback
        self.started = time.monotonic() if started is None else started
        self.best: int | None = None
        self.bound: int | None = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def report(self, solver: str, objective: int, bound: int | None = None) -> None:
        improved = self.best is None or objective < self.best
        tighter = bound is not None and (self.bound is None or bound > self.bound)
        best = objective if improved or self.best is None else self.best
        self.best = best
        if tighter:
            self.bound = bound
        if (improved or tighter) and self.callback is not None:
            self.callback(Progress(solver, best, self.bound, self.elapsed))


@dataclass(frozen=True, slots=True)
class SearchParams:
    """Time limit in seconds; ``deterministic`` trades wall-clock for deterministic time."""

    time_limit: float
    workers: int = 2
    seed: int = 0
    deterministic: bool = False
