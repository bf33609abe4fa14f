"""Everything between machines and the database in one process, for ``c2m demo``.

The embedded broker (unless ``C2M_MQTT_URL`` names one), the ingest loop and, if given, the
production loop (planning and dispatch) and the digital twin run on an event loop of their own
in a daemon thread, so a blocking entry point (uvicorn) can start and stop them around itself.
"""

from __future__ import annotations

import asyncio
import threading

from c2m.domains.factory.mqtt_gateway import MqttGateway
from c2m.engines.simulation import Twin
from c2m.kernel.db import Database
from c2m.settings import Settings
from c2m.workers.broker import BrokerThread
from c2m.workers.ingest import IngestWorker
from c2m.workers.mqtt import EMBEDDED_HOST, broker_address
from c2m.workers.production import ProductionLoop, ProductionSettings
from c2m.workers.twin_bridge import TwinBridge

GOODBYE_S = 0.5
"""How long the ingest keeps listening after the twin's machines said goodbye (their deaths)."""


class MachineBus:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        twin: Twin | None = None,
        production: ProductionSettings | None = None,
        client_id: str = "c2m-ingest",
    ) -> None:
        host, port = broker_address(settings)
        self.db, self.host, self.port = db, host, port
        self.broker = None if settings.mqtt_url else BrokerThread(EMBEDDED_HOST, port)
        self.ingest = IngestWorker(
            db, host, port, lease_s=settings.job_lease_seconds, client_id=client_id
        )
        self.client_id = client_id
        self.bridge = None if twin is None else TwinBridge(twin, host, port)
        self.production = production
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="machine-bus")
        self._thread.daemon = True
        self._task: asyncio.Task[None] | None = None

    def start(self, timeout: float = 10.0) -> None:
        """Returns once the ingest listens, so the twin's births are heard."""
        if self.broker is not None:
            self.broker.start(timeout)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._begin(timeout), self._loop).result(timeout + 1)

    def stop(self, timeout: float = 30.0) -> None:
        """The twin's machines say goodbye and the ingest writes what it holds, then all stops."""
        asyncio.run_coroutine_threadsafe(self._end(), self._loop).result(timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if self.broker is not None:
            self.broker.stop(timeout)

    async def _begin(self, timeout: float) -> None:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.ingest.connected.wait(), timeout)

    async def _end(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        loops = [asyncio.create_task(self.ingest.run())]
        await self.ingest.connected.wait()
        if self.production is not None:
            loops.append(asyncio.create_task(self._produce(self.production)))
        if self.bridge is not None:
            loops.append(asyncio.create_task(self.bridge.run()))
        try:
            await asyncio.wait(loops)  # unlike gather, leaves cancelling them (in order) to us
        finally:
            for task in reversed(loops):  # the twin's goodbyes first, then what the ingest holds
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await asyncio.sleep(GOODBYE_S)

    async def _produce(self, settings: ProductionSettings) -> None:
        """Plan and dispatch, commanding machines over the same broker the ingest listens to."""
        identifier = f"{self.client_id}-dispatch"
        async with MqttGateway(self.host, self.port, identifier=identifier) as gateway:
            await ProductionLoop(self.db, gateway, settings).run()
