"""Test helpers: random small instances (Hypothesis) and an independent brute-force optimum."""

from __future__ import annotations

import itertools

from hypothesis import strategies as st

from c2m.engines.scheduling.generate import taillard_style
from c2m.engines.scheduling.model import Instance, Job, Mode, Operation, Window
from c2m.engines.scheduling.objective import Objective

FT06 = """6 6
2 1 0 3 1 6 3 7 5 3 4 6
1 8 2 5 4 10 5 10 0 10 3 4
2 5 3 4 5 8 0 9 1 1 4 7
1 5 0 5 2 5 3 3 4 8 5 9
2 9 1 3 4 5 5 4 0 3 3 1
1 3 3 3 5 9 0 10 4 4 2 1
"""


@st.composite
def instances(draw: st.DrawFn, max_ops: int = 6, max_machines: int = 3) -> Instance:
    """Small instances using every feature: flexibility, DAGs, setups, windows, due dates, and
    steps released later than their job (waiting for their material)."""
    machines = draw(st.integers(1, max_machines))
    n_ops = draw(st.integers(1, max_ops))
    ops: list[Operation] = []
    jobs: list[Job] = []
    while len(ops) < n_ops:
        jobs.append(
            Job(
                release=draw(st.integers(0, 6)),
                due=draw(st.none() | st.integers(0, 25)),
                weight=draw(st.integers(1, 3)),
            )
        )
        first = len(ops)
        for k in range(draw(st.integers(1, n_ops - len(ops)))):
            chosen = draw(st.sets(st.integers(0, machines - 1), min_size=1, max_size=2))
            modes = tuple(Mode(m, draw(st.integers(1, 9))) for m in sorted(chosen))
            preds = {first + k - 1} if k else set()
            if ops and draw(st.integers(0, 4)) == 0:  # an assembly-like link to earlier work
                preds.add(draw(st.integers(0, len(ops) - 1)))
            ops.append(
                Operation(
                    job=len(jobs) - 1,
                    modes=modes,
                    predecessors=tuple(sorted(preds)),
                    family=draw(st.sampled_from("ab")),
                    release=draw(st.sampled_from((0, 0, 0, 4, 11))),
                )
            )
    setups = {(a, b): draw(st.integers(0, 4)) for a, b in itertools.product("ab", "ab")}
    windows = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.integers(0, 20))
        windows.append(
            Window(draw(st.integers(0, machines - 1)), start, start + draw(st.integers(1, 6)))
        )
    return Instance(
        machines=tuple(f"M{m}" for m in range(machines)),
        jobs=tuple(jobs),
        operations=tuple(ops),
        setups=setups,
        windows=tuple(windows),
    )


def brute_force(instance: Instance, objective: Objective) -> tuple[int, ...]:
    """Optimum over every machine choice and every order, each decoded as early as possible.

    Written independently of the engine: a regular objective is optimal on some semi-active
    schedule, and every semi-active schedule is some order of the operations decoded greedily.
    """
    ops = instance.operations
    best: tuple[int, ...] | None = None
    for modes in itertools.product(*(op.modes for op in ops)):
        for order in itertools.permutations(range(len(ops))):
            position = {op: k for k, op in enumerate(order)}
            if any(position[p] > position[i] for i in order for p in ops[i].predecessors):
                continue
            ends: dict[int, int] = {}
            free: dict[int, tuple[int, int | None]] = {}
            for i in order:
                machine, duration = modes[i].machine, modes[i].duration
                at, last = free.get(machine, (0, None))
                setup = (
                    0 if last is None else instance.setups.get((ops[last].family, ops[i].family), 0)
                )
                t = max(
                    [instance.jobs[ops[i].job].release, ops[i].release, at + setup]
                    + [ends[p] for p in ops[i].predecessors]
                )
                moved = True
                while moved:
                    moved = False
                    for w in instance.windows:
                        if w.machine == machine and t < w.end and w.start < t + duration:
                            t, moved = w.end, True
                ends[i] = t + duration
                free[machine] = (ends[i], i)
            key = _key(instance, ends, objective)
            best = key if best is None or key < best else best
    assert best is not None
    return best


def _key(instance: Instance, ends: dict[int, int], objective: Objective) -> tuple[int, ...]:
    makespan = max(ends.values())
    tardiness = 0
    for j, job in enumerate(instance.jobs):
        mine = [e for i, e in ends.items() if instance.operations[i].job == j]
        if job.due is not None and mine:
            tardiness += job.weight * max(0, max(mine) - job.due)
    return {
        Objective.MAKESPAN: (makespan,),
        Objective.TARDINESS: (tardiness,),
        Objective.LEX: (tardiness, makespan),
    }[objective]


def job_shop(jobs: int, machines: int, seed: int) -> Instance:
    """A random Taillard-style job shop with due dates, for the objectives that need them."""
    return taillard_style(jobs, machines, seed, due=(200, 900))
