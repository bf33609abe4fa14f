"""The gateway over MQTT: commands published with QoS 1 on ``c2m/v1/<factory>/<machine>/cmd``."""

from __future__ import annotations

import contextlib
from types import TracebackType

import aiomqtt

from c2m.domains.factory.contract import encode
from c2m.domains.factory.service import Dispatch
from c2m.kernel.mqtt import BrokerConnection


class MqttGateway:
    """Use with ``async with``. ``send`` returns once the broker has the command; a lost
    connection is opened again once per send, so a broker restart costs one retry, not a crash."""

    def __init__(self, broker: BrokerConnection, identifier: str | None = None) -> None:
        self.broker, self.identifier = broker, identifier
        self._client: aiomqtt.Client | None = None

    async def __aenter__(self) -> MqttGateway:
        await self._connect()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self._close()

    async def send(self, dispatch: Dispatch) -> None:
        payload = encode(dispatch.command.model_dump())
        try:
            client = self._client or await self._connect()
            await client.publish(dispatch.topic, payload, qos=1)
        except aiomqtt.MqttError:
            await self._close()
            client = await self._connect()
            await client.publish(dispatch.topic, payload, qos=1)

    async def _connect(self) -> aiomqtt.Client:
        client = self.broker.client(self.identifier)
        await client.__aenter__()
        self._client = client
        return client

    async def _close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(aiomqtt.MqttError):
                await client.__aexit__(None, None, None)
