"""Random Taillard-style job shops, for tests and benchmarks that need instances of any size."""

from __future__ import annotations

import random

from c2m.engines.scheduling.model import Instance, Job, Mode, Operation


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
