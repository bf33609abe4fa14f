"""The gateway over MQTT: commands published with QoS 1 on ``c2m/v1/<factory>/<machine>/cmd``."""

from __future__ import annotations

from types import TracebackType

import aiomqtt

from c2m.domains.factory.contract import encode
from c2m.domains.factory.service import Dispatch


class MqttGateway:
    """One connection, opened with ``async with``; ``send`` returns once the broker has it."""

    def __init__(self, host: str, port: int, identifier: str | None = None) -> None:
        self._client = aiomqtt.Client(host, port, identifier=identifier)

    async def __aenter__(self) -> MqttGateway:
        await self._client.__aenter__()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self._client.__aexit__(kind, error, trace)

    async def send(self, dispatch: Dispatch) -> None:
        payload = encode(dispatch.command.model_dump())
        await self._client.publish(dispatch.topic, payload, qos=1)
