"""The lights-out loop: paid orders in, plans made and remade, operations out to the machines.

Every tick reconciles with the database (new paid orders, what the machines reported, machines
that went down or came back, overruns, cancellations), re-plans the factories that changed with
the scheduling engine in a separate process (CP-SAT never blocks the event loop or the web
server), then sends each free machine its next operation. Nothing depends on having seen a
message: after a restart the loop picks up exactly where the database says things are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from c2m.domains.factory.gateway import Gateway
from c2m.domains.factory.models import Machine
from c2m.domains.factory.service import Dispatch
from c2m.domains.planning import dispatch, planner, progress, work_orders
from c2m.domains.planning.models import Operation, OperationStatus, Plan
from c2m.engines.scheduling.model import Instance
from c2m.engines.scheduling.objective import Objective
from c2m.engines.scheduling.solver import SolveOptions, SolveResult, solve
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database
from c2m.settings import Settings

log = logging.getLogger(__name__)


def solve_plan(instance: Instance, options: SolveOptions) -> SolveResult:
    """Runs in the planner's process."""
    return solve(instance, options)


@dataclass
class ProductionLoop:
    db: Database
    gateway: Gateway
    settings: Settings
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    plans: int = 0
    _dirty: dict[str, str] = field(default_factory=dict)
    _available: dict[str, bool] = field(default_factory=dict)  # machine id: takes new work
    _overruns: set[str] = field(default_factory=set)

    async def run(self) -> None:
        context = multiprocessing.get_context("forkserver")
        pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        try:
            while True:
                try:
                    await self.tick(pool)
                except Exception:
                    log.exception("production tick failed; trying again")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.settings.production_tick_seconds)
                self.wake.clear()
        finally:
            # Stopping must not wait for a solve in flight: its plan would be stale anyway.
            pool.shutdown(wait=False, cancel_futures=True)

    async def tick(self, pool: ProcessPoolExecutor) -> None:
        await asyncio.to_thread(self._reconcile)
        for factory_id, reason in sorted(self._dirty.items()):
            del self._dirty[factory_id]
            await self._replan(pool, factory_id, reason)
        for sent in await asyncio.to_thread(self._dispatch):
            await self.gateway.send(sent)

    def _mark(self, factories: set[str], reason: str) -> None:
        for factory_id in factories:
            known = self._dirty.get(factory_id)
            if known is None:
                self._dirty[factory_id] = reason
            elif reason not in known.split("; "):
                self._dirty[factory_id] = f"{known}; {reason}"

    def _reconcile(self) -> None:
        now = utcnow()
        with self.db.write() as session:
            for factory_id, why in work_orders.open_work_orders(session).items():
                self._mark({factory_id}, why)
            self._mark(progress.sync_attempts(session, now), "work lost, held or scrapped")
            self._mark(dispatch.withdraw_cancelled(session), "cancellation")
            if self.settings.carrier_delay_seconds is not None:
                wall_s = self.settings.carrier_delay_seconds / self.settings.factory_time_scale
                progress.deliver_shipped(session, now - timedelta(seconds=wall_s))
        with self.db.read() as session:
            for machine in session.scalars(select(Machine)):
                available = machine.state in planner.AVAILABLE
                if self._available.get(machine.id, available) != available:
                    self._mark({machine.factory_id}, f"machine {machine.code} {machine.state}")
                self._available[machine.id] = available
            late = session.execute(
                select(Operation.id, Operation.factory_id).where(
                    Operation.status == OperationStatus.RUNNING, Operation.planned_end < now
                )
            ).all()
        for op_id, factory_id in late:
            if op_id not in self._overruns:
                self._overruns.add(op_id)
                self._mark({factory_id}, "an operation overran")

    async def _replan(self, pool: ProcessPoolExecutor, factory_id: str, reason: str) -> None:
        now = utcnow()

        def read() -> planner.Snapshot | None:
            with self.db.read() as session:
                return planner.snapshot(session, factory_id, now, self.settings.factory_time_scale)

        snap = await asyncio.to_thread(read)
        if snap is None:
            return
        options = SolveOptions(
            objective=Objective.LEX,  # rush orders' weighted lateness first, then makespan
            time_limit=self.settings.plan_seconds,
            workers=1,
            reference=snap.reference,
        )
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(pool, solve_plan, snap.instance, options)

        def write() -> Plan:
            with self.db.write() as session:
                return planner.apply(session, snap, result, reason, now)

        plan = await asyncio.to_thread(write)
        self.plans += 1
        log.info(
            "plan %s for %s (%s): %d operations, %d moved, %.2f s",
            plan.id, factory_id, reason, plan.operations, plan.moved, plan.seconds,
        )  # fmt: skip

    def _dispatch(self) -> list[Dispatch]:
        out: list[Dispatch] = []
        with self.db.write() as session:
            for factory_id in dispatch.factories_with_work(session):
                out += dispatch.due_dispatches(
                    session,
                    factory_id,
                    self.settings.factory_time_scale,
                    self.settings.dispatch_lease_margin_seconds,
                )
        return out
