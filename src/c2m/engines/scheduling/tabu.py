"""Tabu search for the makespan, one compiled search per worker thread.

CP-SAT proves bounds and handles every side constraint, but on job shops of a few hundred
operations and more a dedicated local search finds short schedules much sooner. It keeps each
operation on the machine the incumbent chose and reorders machines (``tabu_kernel``); it
applies when the plan has no unavailability windows, no frozen work and no previous plan to
stay close to. Each worker runs its own search with its own seed; the best wins.
"""

from __future__ import annotations

import threading
import time
from itertools import pairwise

import numpy as np

from c2m.engines.scheduling import tabu_kernel as kernel
from c2m.engines.scheduling.model import Instance, Schedule
from c2m.engines.scheduling.objective import Objective
from c2m.engines.scheduling.progress import Reporter, SearchParams
from c2m.engines.scheduling.timeline import decode

ITERATIONS_PER_UNIT = 20_000  # deterministic runs: iterations per second of time limit
FIRST_CHUNK = 50  # iterations before the first look at the clock (compilation is cached)
CHUNK_SECONDS = 0.1  # how often a worker returns to Python to report and check the time
STALL = 20_000  # iterations without a new best before a restart
KICKS = 6  # random moves that shake the best schedule on a restart
TABU_SLOTS = 1 << 16  # hashed tabu table: a collision only forbids a move for a while


def applicable(instance: Instance, objective: Objective, reference: Schedule | None) -> bool:
    """The search reorders machines freely: nothing may pin an operation in time."""
    return (
        objective is Objective.MAKESPAN
        and reference is None
        and not instance.windows
        and not instance.frozen
        and len(instance.operations) > 1
    )


def _graph(instance: Instance, incumbent: Schedule) -> kernel.Graph:
    ops = instance.operations
    n = len(ops)
    machine = np.array([incumbent[i].machine for i in range(n)], np.int64)
    duration = np.array([incumbent[i].end - incumbent[i].start for i in range(n)], np.int64)
    release = np.array([instance.earliest_start(i) for i in range(n)], np.int64)
    families = sorted({op.family for op in ops})
    index = {f: k for k, f in enumerate(families)}
    family = np.array([index[op.family] for op in ops], np.int64)
    setup = np.zeros((len(families), len(families)), np.int64)
    for (a, b), value in instance.setups.items():
        if a in index and b in index:
            setup[index[a], index[b]] = value
    preds = [sorted(set(op.predecessors)) for op in ops]
    pred_ptr = np.cumsum([0, *(len(p) for p in preds)], dtype=np.int64)
    pred_idx = np.array([p for ps in preds for p in ps], np.int64)
    succ_ptr = np.cumsum([0, *(len(s) for s in instance.successors)], dtype=np.int64)
    succ_idx = np.array([s for ss in instance.successors for s in ss], np.int64)
    return (
        duration,
        release,
        family,
        setup,
        pred_ptr,
        pred_idx,
        succ_ptr,
        succ_idx,
        machine,
    )


def _links(instance: Instance, schedule: Schedule) -> kernel.Links:
    n, machines = len(instance.operations), len(instance.machines)
    mprev = np.full(n, -1, np.int64)
    mnext = np.full(n, -1, np.int64)
    mfirst = np.full(machines, -1, np.int64)
    for machine, sequence in enumerate(schedule.machine_sequences(machines)):
        if sequence:
            mfirst[machine] = sequence[0]
        for a, b in pairwise(sequence):
            mnext[a], mprev[b] = b, a
    return mprev, mnext, mfirst


def _sequences(links: kernel.Links) -> list[list[int]]:
    _, mnext, mfirst = links
    sequences: list[list[int]] = []
    for first in mfirst.tolist():
        sequence, i = [], first
        while i >= 0:
            sequence.append(i)
            i = int(mnext[i])
        sequences.append(sequence)
    return sequences


class _Worker:
    """One search thread; the kernel releases the GIL, so workers run on separate cores."""

    def __init__(
        self,
        graph: kernel.Graph,
        links: kernel.Links,
        seed: int,
        tenure: int,
        strict: bool,
    ) -> None:
        self.graph = graph
        self.current: kernel.Links = (links[0].copy(), links[1].copy(), links[2].copy())
        self.best: kernel.Links = (links[0].copy(), links[1].copy(), links[2].copy())
        self.state = np.zeros(kernel.STATE_SIZE, np.int64)
        self.state[kernel.RNG] = (seed * 2654435761 + 12345) % (2**62) + 1
        self.tabu = np.zeros(TABU_SLOTS, np.int64)  # per order of two operations: tabu until
        self.settings = np.array([tenure, tenure // 2, STALL, KICKS, strict], np.int64)

    def run(self, iterations: int) -> None:
        kernel.search(
            self.graph, self.current, self.best, self.state, self.tabu, self.settings, iterations
        )

    @property
    def best_makespan(self) -> int:
        return int(self.state[kernel.BEST])


def tabu_search(
    instance: Instance,
    incumbent: Schedule,
    params: SearchParams,
    reporter: Reporter,
    lower_bound: int = 0,
) -> Schedule:
    """Shorten ``incumbent`` until the time limit or the bound; never returns anything longer."""
    started = time.monotonic()
    graph = _graph(instance, incumbent)
    links = _links(instance, incumbent)
    tenure = 10 + len(instance.jobs) // len(instance.machines)  # Zhang et al.'s rule
    # Every other worker keeps the stricter tabu list: each list has instances it gets stuck on.
    workers = [
        _Worker(graph, links, params.seed + k, tenure, strict=k % 2 == 1)
        for k in range(max(1, params.workers))
    ]
    lock = threading.Lock()
    finished = threading.Event()  # some worker reached the lower bound: nothing left to find
    total = int(params.time_limit * ITERATIONS_PER_UNIT)

    def drive(worker: _Worker) -> None:
        chunk, done, reported = FIRST_CHUNK, 0, -1
        while not finished.is_set():
            if params.deterministic:
                chunk = min(chunk, total - done)
                if chunk <= 0:
                    return
            elif time.monotonic() - started >= params.time_limit:
                return
            began = time.monotonic()
            worker.run(chunk)
            done += chunk
            if worker.best_makespan != reported:
                reported = worker.best_makespan
                with lock:
                    reporter.report("tabu", reported)
                if reported <= lower_bound:
                    finished.set()
            if not params.deterministic:
                spent = max(time.monotonic() - began, 1e-4)
                left = params.time_limit - (time.monotonic() - started)
                wanted = min(CHUNK_SECONDS, max(left, 0.0))
                chunk = max(1, min(chunk * 4, int(chunk * wanted / spent)))
            else:
                chunk = 1_000

    threads = [threading.Thread(target=drive, args=(w,), daemon=True) for w in workers[1:]]
    for thread in threads:
        thread.start()
    drive(workers[0])
    for thread in threads:
        thread.join()
    winner = min(workers, key=lambda w: w.best_makespan)  # the first of equals
    return decode(instance, _sequences(winner.best))
