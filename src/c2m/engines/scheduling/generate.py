"""Random instances for tests and benchmarks: Taillard-style job shops of any size, and a
factory's open work as the planner sees it."""

from __future__ import annotations

import random

from c2m.engines.scheduling.model import Assignment, Instance, Job, Mode, Operation, Window


def taillard_style(
    jobs: int, machines: int, seed: int, *, due: tuple[int, int] | None = None
) -> Instance:
    """Each job visits every machine once in random order, durations 1-99; due dates drawn
    uniformly from ``due`` when given (after the operations, so the shop is the same either way)."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrecy)
    ops: list[Operation] = []
    for job in range(jobs):
        order = list(range(machines))
        rng.shuffle(order)
        for k, machine in enumerate(order):
            preds = (len(ops) - 1,) if k else ()
            ops.append(
                Operation(job=job, modes=(Mode(machine, rng.randint(1, 99)),), predecessors=preds)
            )
    job_list = tuple(
        Job(name=f"J{j}", due=rng.randint(*due)) if due else Job(name=f"J{j}") for j in range(jobs)
    )
    return Instance(
        machines=tuple(f"M{m}" for m in range(machines)),
        jobs=job_list,
        operations=tuple(ops),
        name=f"gen{jobs}x{machines}",
    )


#: The demo plant's machine groups (capability, machines, minutes a step takes), 17 machines.
PLANT = (
    ("cut", 1, (10, 60)),
    ("mill", 2, (15, 60)),
    ("print", 2, (20, 90)),
    ("sew", 3, (20, 90)),
    ("foam", 1, (10, 40)),
    ("laser", 2, (5, 30)),
    ("assemble", 2, (10, 40)),
    ("inspect", 2, (5, 15)),
    ("pack", 2, (3, 10)),
)
MAKING = 6  # the first groups shape parts; the rest assemble, inspect and pack every order
HOUR = 3600


def planner_shaped(
    orders: int, seed: int, *, frozen: int = 11, due: tuple[int, int] = (6, 72)
) -> Instance:
    """A factory's open work as the planner sees it, in seconds: the demo plant's 17 machines in
    groups, ``orders`` work orders of 4 to 6 steps (one to three from the making groups,
    then assembly, inspection and packing) on any machine of a step's group at its own speed,
    each step as long as its group's range says; due ``due`` hours ahead, weights 1 to 10;
    every machine off from 22:00 to 06:00 (the plan starts at 06:00) over four days; up to
    ``frozen`` first steps already running, one per machine (the making groups have 11)."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrecy)
    groups: dict[str, list[int]] = {}
    for capability, count, _ in PLANT:
        groups[capability] = [sum(len(g) for g in groups.values()) + k for k in range(count)]
    minutes_of = {capability: span for capability, _, span in PLANT}
    speed = [rng.uniform(0.8, 1.25) for _ in range(sum(count for _, count, _ in PLANT))]
    making = [capability for capability, _, _ in PLANT[:MAKING]]
    ops: list[Operation] = []
    jobs: list[Job] = []
    firsts: list[int] = []  # each work order's first step
    for job in range(orders):
        firsts.append(len(ops))
        steps = [*rng.sample(making, rng.randint(1, 3)), "assemble", "inspect", "pack"]
        for k, capability in enumerate(steps):
            minutes = rng.randint(*minutes_of[capability])
            modes = tuple(
                Mode(m, max(1, round(minutes * 60 / speed[m]))) for m in groups[capability]
            )
            preds = (len(ops) - 1,) if k else ()
            ops.append(Operation(job=job, modes=modes, predecessors=preds, family=capability))
        jobs.append(Job(name=f"W{job}", due=rng.randint(*due) * HOUR, weight=rng.randint(1, 10)))
    windows = tuple(
        Window(m, (16 + 24 * day) * HOUR, (24 + 24 * day) * HOUR)
        for m in range(len(speed))
        for day in range(4)
    )
    running: list[Assignment] = []
    busy: set[int] = set()
    for first in rng.sample(firsts, orders):  # in a random order
        mode = next((m for m in ops[first].modes if m.machine not in busy), None)
        if mode is not None:
            busy.add(mode.machine)
            running.append(Assignment(first, mode.machine, -60, mode.duration - 60))
            if len(running) == frozen:
                break
    return Instance(
        machines=tuple(f"{c}-{k + 1}" for c, count, _ in PLANT for k in range(count)),
        jobs=tuple(jobs),
        operations=tuple(ops),
        windows=windows,
        frozen=tuple(running),
        now=0,
        name=f"planner{orders}",
    )
