"""Where the machines' broker is: ``C2M_MQTT_URL``, or the embedded one on 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlsplit

from c2m.kernel.errors import InvalidInput
from c2m.settings import Settings

EMBEDDED_HOST = "127.0.0.1"


def broker_address(settings: Settings) -> tuple[str, int]:
    if not settings.mqtt_url:
        return EMBEDDED_HOST, settings.mqtt_port
    parts = urlsplit(settings.mqtt_url)
    try:
        port = parts.port or 1883
    except ValueError:
        port = 0
    if parts.scheme not in ("mqtt", "tcp") or not parts.hostname or not port:
        raise InvalidInput(
            f"C2M_MQTT_URL {settings.mqtt_url!r} is not a broker address; "
            "write it as mqtt://host:1883 (TLS is not supported yet)."
        )
    return parts.hostname, port
