"""Where the machines' broker is and who c2m is there: ``C2M_MQTT_*``, or the embedded broker
on 127.0.0.1 (no users, no TLS). A combination that cannot work is refused here, in one
sentence, before anything connects."""

from __future__ import annotations

from urllib.parse import urlsplit

from c2m.kernel.errors import InvalidInput
from c2m.kernel.mqtt import BrokerConnection
from c2m.settings import Settings

EMBEDDED_HOST = "127.0.0.1"
DEFAULT_PORTS = {"mqtt": 1883, "tcp": 1883, "mqtts": 8883}


def broker_connection(settings: Settings) -> BrokerConnection:
    if not settings.mqtt_url:
        if given := _external_only(settings):
            raise InvalidInput(
                f"{given} applies to a broker named by C2M_MQTT_URL; the embedded broker has "
                "no users and no TLS."
            )
        return BrokerConnection(EMBEDDED_HOST, settings.mqtt_port)
    parts = urlsplit(settings.mqtt_url)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "C2M_MQTT_URL carries a user name or password; set C2M_MQTT_USERNAME and "
            "C2M_MQTT_PASSWORD instead."
        )
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    except ValueError:
        port = 0
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or not port:
        raise InvalidInput(
            f"C2M_MQTT_URL {settings.mqtt_url!r} is not a broker address; write it as "
            "mqtt://host:1883, or mqtts://host:8883 for TLS."
        )
    connection = BrokerConnection(
        parts.hostname,
        port,
        tls=parts.scheme == "mqtts",
        ca_file=settings.mqtt_ca_file,
        client_cert=settings.mqtt_client_cert,
        client_key=settings.mqtt_client_key,
        username=settings.mqtt_username or None,
        password=settings.mqtt_password or None,
    )
    _check(connection)
    return connection


def _external_only(settings: Settings) -> str:
    """The first setting given that only an external broker can use, or ``""``."""
    given = {
        "C2M_MQTT_USERNAME": settings.mqtt_username,
        "C2M_MQTT_PASSWORD": settings.mqtt_password,
        "C2M_MQTT_CA_FILE": settings.mqtt_ca_file,
        "C2M_MQTT_CLIENT_CERT": settings.mqtt_client_cert,
        "C2M_MQTT_CLIENT_KEY": settings.mqtt_client_key,
    }
    return next((name for name, value in given.items() if value), "")


def _check(connection: BrokerConnection) -> None:
    files = {
        "C2M_MQTT_CA_FILE": connection.ca_file,
        "C2M_MQTT_CLIENT_CERT": connection.client_cert,
        "C2M_MQTT_CLIENT_KEY": connection.client_key,
    }
    named = [name for name, path in files.items() if path is not None]
    if connection.password and not connection.username:
        raise InvalidInput("C2M_MQTT_PASSWORD is set but C2M_MQTT_USERNAME is not.")
    if named and not connection.tls:
        raise InvalidInput(
            f"{named[0]} is for TLS; write C2M_MQTT_URL as mqtts://{connection.host}:8883."
        )
    if (connection.client_cert is None) != (connection.client_key is None):
        raise InvalidInput(
            "C2M_MQTT_CLIENT_CERT and C2M_MQTT_CLIENT_KEY go together; set both or neither."
        )
    for name, path in files.items():
        if path is not None and not path.is_file():
            raise InvalidInput(f"{name} {str(path)!r} is not a file.")
    if not named:
        return
    try:
        connection.ssl_context()
    except OSError as exc:  # ssl.SSLError too
        raise InvalidInput(
            f"The TLS files in {', '.join(named)} cannot be used (PEM, the key not "
            f"encrypted): {exc.strerror or exc}."
        ) from None
