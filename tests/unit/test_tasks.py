"""Stopping tasks for sure: a cancel lost on the way (Python 3.11's wait_for) does not keep a
stopped loop running, and a clean-up shorter than the grace period is not cut short."""

from __future__ import annotations

import asyncio

from tests.conftest import run_async

from c2m.kernel.tasks import cancel


def test_a_loop_that_loses_a_cancel_is_stopped_all_the_same() -> None:
    lost: list[int] = []

    async def publishing_loop() -> None:
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if lost:
                    raise
                lost.append(1)  # as wait_for does when the confirmation comes with the cancel

    async def main() -> bool:
        task = asyncio.create_task(publishing_loop())
        await asyncio.sleep(0)
        await asyncio.wait_for(cancel(task, again_s=0.05), timeout=5)
        return task.cancelled()

    assert run_async(main())
    assert lost == [1]


def test_a_task_cleans_up_before_it_is_cancelled_again() -> None:
    said: list[str] = []

    async def machine() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            await asyncio.sleep(0.1)  # says goodbye to the broker
            said.append("goodbye")

    async def failing() -> None:
        raise RuntimeError("broken on the way out")

    async def main() -> None:
        tasks = [asyncio.create_task(machine()), asyncio.create_task(failing())]
        await asyncio.sleep(0)
        await cancel(*tasks, again_s=2)

    run_async(main())
    assert said == ["goodbye"]
