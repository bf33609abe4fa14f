"""The factory half of c2m on an event loop of its own, in a daemon thread.

The embedded broker (when there is one), the MQTT ingest, the production loop (planning and
dispatch) and, if given, the digital twin's bridge run together so that a blocking entry point
(uvicorn, or a worker waiting for Ctrl-C) can start and stop them around itself.
``c2m.bootstrap.build_factory`` picks the parts from the settings.
"""

from __future__ import annotations

import asyncio
import threading

from sqlalchemy import select

from c2m.domains.factory import events
from c2m.domains.factory.models import Factory
from c2m.domains.factory.mqtt_gateway import MqttGateway
from c2m.kernel.bus import EventBus, Message
from c2m.kernel.db import Database
from c2m.kernel.tasks import cancel
from c2m.settings import Settings
from c2m.workers.broker import BrokerThread
from c2m.workers.ingest import IngestWorker
from c2m.workers.production import ProductionLoop
from c2m.workers.twin_bridge import TwinBridge

GOODBYE_S = 0.5
"""How long the ingest keeps listening after the twin's machines said goodbye (their deaths)."""


class FactoryWorkers:
    """The factory half, started and stopped as one (``start()`` / ``stop()``)."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        ingest: IngestWorker,
        *,
        broker: BrokerThread | None = None,
        bridge: TwinBridge | None = None,
        bus: EventBus | None = None,
    ) -> None:
        self.settings, self.db = settings, db
        self.ingest, self.broker, self.bridge = ingest, broker, bridge
        ingest.leading = set()  # until the first lease round says which factories are ours
        self.production: ProductionLoop | None = None
        if bus is not None:
            bus.add_handler(events.PREFIX, self._wake_production)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="factory")
        self._thread.daemon = True
        self._task: asyncio.Task[None] | None = None

    def start(self, timeout: float = 10.0, *, wait: bool = True) -> None:
        """Returns once the ingest listens (so the twin's births are heard), or at once without
        ``wait`` (a worker whose broker is away keeps trying and says so in its log)."""
        if self.broker is not None:
            self.broker.start(timeout)
        self._thread.start()
        begun = asyncio.run_coroutine_threadsafe(self._begin(timeout if wait else None), self._loop)
        if wait:
            begun.result(timeout + 1)

    def stop(self, timeout: float = 30.0) -> None:
        """The twin's machines say goodbye and the ingest writes what it holds, then all stops."""
        asyncio.run_coroutine_threadsafe(self._end(), self._loop).result(timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if self.broker is not None:
            self.broker.stop(timeout)

    async def _begin(self, timeout: float | None) -> None:
        self._task = asyncio.create_task(self._run())
        if timeout is not None:
            async with asyncio.timeout(timeout):
                await self.ingest.connected.wait()

    async def _end(self) -> None:
        if self._task is not None:
            await cancel(self._task)

    async def _run(self) -> None:
        loops = [asyncio.create_task(self.ingest.run())]
        await self.ingest.connected.wait()
        loops.append(asyncio.create_task(self._produce()))
        if self.bridge is not None:
            loops.append(asyncio.create_task(self.bridge.run()))
        try:
            await asyncio.wait(loops)  # unlike gather, leaves cancelling them (in order) to us
        finally:
            for task in reversed(loops):  # the twin's goodbyes first, then what the ingest holds
                await cancel(task)
                await asyncio.sleep(GOODBYE_S)

    async def _produce(self) -> None:
        """Plan and dispatch, commanding machines over the same broker the ingest listens to."""
        identifier = f"{self.ingest.client_id}-dispatch"
        async with MqttGateway(self.ingest.broker, identifier=identifier) as gateway:
            self.production = ProductionLoop(self.db, gateway, self.settings, on_lead=self._lead)
            await self.production.run()

    async def _lead(self, factory_ids: set[str]) -> None:
        """The ingest writes the factories the production loop leads, their recent past first."""

        def codes() -> set[str]:
            with self.db.read() as session:
                query = select(Factory.code).where(Factory.id.in_(factory_ids))
                return set(session.scalars(query))

        self.ingest.lead(await asyncio.to_thread(codes))
        await self.ingest.drained()

    def _wake_production(self, topic: str, message: Message) -> None:
        """A machine's report, relayed from the outbox: plan and dispatch now, not at the tick."""
        if self.production is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.production.wake.set)
