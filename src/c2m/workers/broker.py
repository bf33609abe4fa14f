"""The embedded MQTT broker (amqtt, in-process) so ``c2m demo`` needs nothing else installed.

For a real plant point ``C2M_MQTT_URL`` at Mosquitto or EMQX instead: amqtt speaks MQTT 3.1.1
and keeps nothing across restarts.
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import Any

from amqtt.broker import Broker  # type: ignore[import-untyped]

from c2m.kernel.errors import C2MError


def broker_config(host: str, port: int) -> dict[str, Any]:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }


class EmbeddedBroker:
    """``async with EmbeddedBroker(port=...)`` listens until the block ends; restartable."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1884) -> None:
        self.host, self.port = host, port
        self._broker: Any = None

    async def start(self) -> None:
        self._broker = Broker(broker_config(self.host, self.port))
        try:
            await self._broker.start()
        except Exception as exc:
            raise C2MError(
                f"The embedded MQTT broker cannot listen on {self.host}:{self.port} ({exc}); "
                "free the port, set C2M_MQTT_PORT, or point C2M_MQTT_URL at a running broker."
            ) from None

    async def stop(self) -> None:
        """Close every client's connection at once, as a broker that dies would, then shut down:
        amqtt's own shutdown first drains each connection, and waits for ever on a client that
        is not reading (seen on a busy machine)."""
        broker, self._broker = self._broker, None
        if broker is None:
            return
        for _, handler in list(broker._sessions.values()):
            stream = getattr(getattr(handler, "writer", None), "_writer", None)
            if isinstance(stream, asyncio.StreamWriter):
                stream.transport.abort()
        await broker.shutdown()

    async def __aenter__(self) -> EmbeddedBroker:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.stop()


class BrokerThread:
    """The embedded broker on its own event loop in a daemon thread, for blocking entry points
    such as ``c2m demo`` (which then runs uvicorn on the main thread)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1884) -> None:
        self.broker = EmbeddedBroker(host, port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mqtt-broker")
        self._thread.daemon = True

    def start(self, timeout: float = 10.0) -> None:
        """Return once the broker listens; its error (port taken...) is raised here."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.broker.start(), self._loop).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        asyncio.run_coroutine_threadsafe(self.broker.stop(), self._loop).result(timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
