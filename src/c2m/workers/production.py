"""The lights-out loop: paid orders in, plans made and remade, operations out to the machines.

Every tick reconciles with the database (new paid orders, what the machines reported, machines
that went down or came back, overruns, cancellations), re-plans the factories that changed with
the scheduling engine in a separate process (CP-SAT never blocks the event loop or the web
server), then sends each free machine its next operation. Nothing depends on having seen a
message: after a restart the loop picks up exactly where the database says things are. It works
only on the factories whose planner lease it holds, and every write there is fenced by the
lease's epoch, so any number of workers can run this loop at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import multiprocessing
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select

from c2m.domains.factory import leases
from c2m.domains.factory.credentials import FileLinks
from c2m.domains.factory.gateway import Gateway
from c2m.domains.factory.leases import Lease
from c2m.domains.factory.models import ArtifactStore, Machine
from c2m.domains.factory.service import Dispatch
from c2m.domains.materials.stock import stock_marks
from c2m.domains.planning import dispatch, planner, progress, work_orders
from c2m.domains.planning.jobs import JobWriter
from c2m.domains.planning.models import Operation, OperationStatus, Plan
from c2m.engines.scheduling.model import Instance
from c2m.engines.scheduling.objective import Objective
from c2m.engines.scheduling.solver import SolveOptions, SolveResult, solve
from c2m.kernel.clock import utcnow
from c2m.kernel.db import Database
from c2m.kernel.metrics import DISPATCH_SECONDS, LEADER_EPOCH, PLAN_SECONDS
from c2m.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


def warm_up() -> None:
    """Runs in the planner's process: loads the solver's heavy parts before the first plan."""
    for part in ("cpsat", "lns", "tabu"):
        importlib.import_module(f"c2m.engines.scheduling.{part}")


def solve_plan(instance: Instance, options: SolveOptions) -> SolveResult:
    """Runs in the planner's process."""
    return solve(instance, options)


@dataclass
class ProductionLoop:
    """Plans and dispatches for the factories this worker leads (see ``factory.leases``); any
    number of them run side by side, each factory led by one at a time."""

    db: Database
    gateway: Gateway
    settings: Settings
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    plans: int = 0
    leases: dict[str, Lease] = field(default_factory=dict)  # factory id: the lease held
    #: Told which factories this loop leads whenever that changes, before it plans them (the
    #: ingest writes their machines' recent messages first).
    on_lead: Callable[[set[str]], Awaitable[None]] | None = None
    _told: set[str] | None = None
    _dirty: dict[str, str] = field(default_factory=dict)
    _available: dict[str, bool] = field(default_factory=dict)  # machine id: takes new work
    _overruns: set[str] = field(default_factory=set)
    _stock: dict[str, tuple[int, int]] = field(default_factory=dict)  # factory id: stock_marks
    _next_round: float = 0.0
    _sharing: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: Lease rounds' own thread: they never queue behind the ingest's or dispatch's database
    #: work in the shared pool, so a busy worker still takes over a dead one's factories in time.
    _lease_thread: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="leases")
    )
    jobs: JobWriter = field(init=False)

    def __post_init__(self) -> None:
        data_dir = self.settings.data_dir
        self.jobs = JobWriter(
            FileLinks(self.settings.secret_key, self.settings.base_url),
            ArtifactStore.UPLOADS.under(data_dir),
            ArtifactStore.ARTIFACTS.under(data_dir),
        )

    async def run(self) -> None:
        context = multiprocessing.get_context("forkserver")
        pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        pool.submit(warm_up)  # the solver loads while the first leases are taken
        keeper = asyncio.create_task(self._keep_leases())
        try:
            while True:
                try:
                    await self.tick(pool)
                except Exception:
                    log.exception("production tick failed; trying again")
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that
                # comes as the wake-up does, and the stopped loop would run on for ever.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.settings.production_tick_seconds):
                        await self.wake.wait()
                self.wake.clear()
        finally:
            # Stopping must not wait for a solve (or the warm-up) in flight: its plan would be
            # stale anyway, and the interpreter would join the planner's process at exit.
            keeper.cancel()
            processes = list(pool._processes.values())  # no public way before Python 3.14
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.kill()
            # After any lease round in flight, so none takes a lease back once it is freed.
            await asyncio.get_running_loop().run_in_executor(self._lease_thread, self._leave)
            self._lease_thread.shutdown()

    async def _keep_leases(self) -> None:
        """Lease rounds on their own clock, so a long plan (or the solver's first start on a busy
        machine) never lets this worker's leases lapse nor delays taking over a dead one's."""
        while True:
            try:
                await self._round()
            except Exception:
                log.exception("lease round failed; trying again")
            await asyncio.sleep(self.settings.lease_seconds / 5)

    async def _round(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._sharing:
            if time.monotonic() >= self._next_round and await loop.run_in_executor(
                self._lease_thread, self._share
            ):
                self.wake.set()

    async def tick(self, pool: ProcessPoolExecutor) -> None:
        await self._round()
        if self.on_lead is not None and set(self.leases) != self._told:
            self._told = set(self.leases)
            await self.on_lead(self._told)
        await asyncio.to_thread(self._reconcile)
        for factory_id, reason in sorted(self._dirty.items()):
            del self._dirty[factory_id]
            lease = self.leases.get(factory_id)
            if lease is not None:
                await self._fenced(lease, self._replan(pool, lease, reason))
        for lease in list(self.leases.values()):
            begun = time.monotonic()
            sent = await self._fenced(lease, asyncio.to_thread(self._dispatch, lease))
            for dispatched in sent or ():
                await self.gateway.send(dispatched)
                DISPATCH_SECONDS.labels(lease.factory_id).observe(time.monotonic() - begun)

    async def _fenced(self, lease: Lease, work: Awaitable[T]) -> T | None:
        """Run ``work`` for a factory; if the database says the lease is stale, let it go."""
        try:
            return await work
        except Exception as exc:
            self._lose(lease, exc)
            return None

    def _lose(self, lease: Lease, error: Exception) -> None:
        """The database refused a write from ``lease``: another worker leads now."""
        if not leases.is_stale(error):
            raise error
        if self.leases.get(lease.factory_id) == lease:
            del self.leases[lease.factory_id]
        log.warning(
            "lost the lead of factory %s (epoch %d): %s", lease.factory_id, lease.epoch, error
        )

    def _share(self) -> bool:
        """A lease round: renew, hand over, take over (every fifth of a lease period); True if
        this worker now leads other factories than before."""
        ttl = self.settings.lease_seconds
        self._next_round = time.monotonic() + ttl / 5
        worker = self.settings.worker_id
        with self.db.write() as session:
            alive = leases.beat(session, worker, utcnow(), ttl)
            now = utcnow()
            held = leases.share(session, worker, self.leases, alive, now, ttl)
        for factory_id, lease in held.items():
            if self.leases.get(factory_id) != lease:
                log.info("leading factory %s from now on (epoch %d)", factory_id, lease.epoch)
                self._mark({factory_id}, f"took the lead (epoch {lease.epoch})")
        for factory_id in set(self.leases) - set(held):
            log.info("no longer leading factory %s", factory_id)
            self._dirty.pop(factory_id, None)
        LEADER_EPOCH.clear()  # one production loop per worker process
        for factory_id, lease in held.items():
            LEADER_EPOCH.labels(factory_id).set(lease.epoch)
        changed = set(held) != set(self.leases)
        self.leases = held
        return changed

    def _leave(self) -> None:
        """Free the leases on the way out, so another worker takes over at once."""
        try:
            with self.db.write() as session:
                leases.leave(session, self.settings.worker_id, utcnow())
        except Exception:
            log.exception("could not free the factory leases; they lapse on their own")
        self.leases = {}
        LEADER_EPOCH.clear()

    def _mark(self, factories: set[str], reason: str) -> None:
        for factory_id in factories:
            known = self._dirty.get(factory_id)
            if known is None:
                self._dirty[factory_id] = reason
            elif reason not in known.split("; "):
                self._dirty[factory_id] = f"{known}; {reason}"

    def _reconcile(self) -> None:
        """What changed in each factory led here, each in its own fenced transaction."""
        now = utcnow()
        for lease in list(self.leases.values()):
            try:
                self._reconcile_factory(lease, now)
            except Exception as exc:
                self._lose(lease, exc)
        if self.leases and self.settings.carrier_delay_seconds is not None:
            wall_s = self.settings.carrier_delay_seconds / self.settings.factory_time_scale
            with self.db.write() as session:
                progress.deliver_shipped(session, now - timedelta(seconds=wall_s))
        led = list(self.leases)
        with self.db.read() as session:
            machines = session.scalars(select(Machine).where(Machine.factory_id.in_(led)))
            for machine in machines:
                available = machine.state in planner.AVAILABLE
                if self._available.get(machine.id, available) != available:
                    self._mark({machine.factory_id}, f"machine {machine.code} {machine.state}")
                self._available[machine.id] = available
            for factory_id, mark in stock_marks(session, led).items():
                if self._stock.get(factory_id, mark) != mark:
                    self._mark({factory_id}, "material arrived or ordered")
                self._stock[factory_id] = mark
            late = session.execute(
                select(Operation.id, Operation.factory_id).where(
                    Operation.factory_id.in_(led),
                    Operation.status == OperationStatus.RUNNING,
                    Operation.planned_end < now,
                )
            ).all()
        for op_id, factory_id in late:
            if op_id not in self._overruns:
                self._overruns.add(op_id)
                self._mark({factory_id}, "an operation overran")

    def _reconcile_factory(self, lease: Lease, now: datetime) -> None:
        factory_id = lease.factory_id
        with self.db.write() as session:
            leases.fence(session, lease)
            for opened, why in work_orders.open_work_orders(session, factory_id).items():
                self._mark({opened}, why)
            self._mark(
                progress.sync_attempts(session, now, factory_id), "work lost, held or scrapped"
            )
            self._mark(dispatch.withdraw_cancelled(session, factory_id), "cancellation")

    async def _replan(self, pool: ProcessPoolExecutor, lease: Lease, reason: str) -> None:
        now, begun = utcnow(), time.monotonic()
        factory_id = lease.factory_id

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
                return planner.apply(session, snap, result, reason, now, epoch=lease.epoch)

        plan = await asyncio.to_thread(write)
        self.plans += 1
        PLAN_SECONDS.labels(factory_id).observe(time.monotonic() - begun)
        log.debug(  # routine, every few seconds: the floor page and the metrics show plans
            "plan %s for %s (%s): %d operations, %d moved, %.2f s",
            plan.id, factory_id, reason, plan.operations, plan.moved, plan.seconds,
        )  # fmt: skip

    def _dispatch(self, lease: Lease) -> list[Dispatch]:
        with self.db.write() as session:
            return dispatch.due_dispatches(
                session,
                lease.factory_id,
                self.settings.factory_time_scale,
                self.settings.dispatch_lease_margin_seconds,
                epoch=lease.epoch,
                jobs=self.jobs,
            )
