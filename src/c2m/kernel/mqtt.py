"""How to reach an MQTT broker, and the one place where MQTT clients are made.

Every part of c2m that talks to the machines' broker (the ingest, the gateway that sends commands,
the digital twin's machines) gets a :class:`BrokerConnection` and asks it for a client, so TLS and
credentials are set the same way everywhere and no part can forget them.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from pathlib import Path

import aiomqtt
from aiomqtt.exceptions import MqttConnectError
from paho.mqtt.client import MQTT_CLEAN_START_FIRST_ONLY
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

NOT_ALLOWED = frozenset({4, 5, 134, 135})
"""CONNACK codes for a wrong user name or password (MQTT 3.1.1: 4, 5; MQTT 5: 134, 135)."""


@dataclass(frozen=True, slots=True)
class BrokerConnection:
    """A broker's address, whether to speak TLS to it, and who c2m is there.

    With ``tls`` and no ``ca_file`` the system's trusted authorities check the broker's
    certificate; ``client_cert`` and ``client_key`` together identify the client by certificate.
    """

    host: str
    port: int
    tls: bool = False
    ca_file: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        """Where and as whom, for log lines (never the password)."""
        who = f" as {self.username}" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}{who}"

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context clients use (``None`` without TLS); raises ``OSError`` or
        ``ssl.SSLError`` for files it cannot use."""
        if not self.tls:
            return None
        context = ssl.create_default_context(cafile=self.ca_file)
        if self.client_cert is not None:  # an encrypted key fails here instead of prompting
            context.load_cert_chain(self.client_cert, self.client_key, password=lambda: b"")
        return context

    def client(
        self,
        identifier: str | None = None,
        *,
        persistent: bool = False,
        mqtt5: bool = False,
        session_expiry_s: int | None = None,
        will: aiomqtt.Will | None = None,
        keepalive: int = 60,
        queue_type: type[asyncio.Queue[aiomqtt.Message]] | None = None,
    ) -> aiomqtt.Client:
        """A client of this broker, not yet connected (use it with ``async with``).

        ``persistent`` keeps the session (and what is queued for it) across connections: a clean
        session off in MQTT 3.1.1, no clean start in MQTT 5 (``mqtt5``), where the broker forgets
        it ``session_expiry_s`` seconds after the client left. ``queue_type`` is aiomqtt's, for
        the messages that arrive.
        """
        properties = None
        if mqtt5 and session_expiry_s is not None:
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = session_expiry_s
        return aiomqtt.Client(
            self.host,
            self.port,
            identifier=identifier,
            username=self.username,
            password=self.password,
            protocol=aiomqtt.ProtocolVersion.V5 if mqtt5 else None,
            clean_session=False if persistent and not mqtt5 else None,
            clean_start=False if persistent and mqtt5 else MQTT_CLEAN_START_FIRST_ONLY,
            properties=properties,
            will=will,
            keepalive=keepalive,
            tls_context=self.ssl_context(),
            queue_type=queue_type,
        )


def failure(connection: BrokerConnection, error: aiomqtt.MqttError) -> str:
    """Words for a log line: a broker that refused us (a wrong password) is told apart from one
    that could not be reached, whose certificate is not trusted, or that went away."""
    if not isinstance(error, MqttConnectError):
        return f"no connection to {connection} ({error})"
    code = getattr(error.rc, "value", error.rc)
    hint = " (check C2M_MQTT_USERNAME and C2M_MQTT_PASSWORD)" if code in NOT_ALLOWED else ""
    return f"the broker refused {connection}: {error}{hint}"
