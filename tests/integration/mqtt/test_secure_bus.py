"""Issue 14, acceptance 4: the machine bus secured as docs/machines.md says, on a real Mosquitto
the test starts on a free port with TLS (its own certificate authority), a password file and an
ACL. A machine of one factory can neither speak as another factory's machine nor hear its
commands; c2m connects over mqtts as itself; a wrong password or an untrusted broker is a log
line that says so."""

from __future__ import annotations

import asyncio
import dataclasses
import getpass
import json
import logging
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiomqtt
import pytest

from c2m.bootstrap import Platform
from c2m.domains.factory import service
from c2m.domains.factory.contract import COMMAND, topic
from c2m.domains.factory.models import AttemptStatus
from c2m.domains.factory.mqtt_gateway import MqttGateway
from c2m.domains.factory.vocabulary import MachineState
from c2m.kernel.mqtt import BrokerConnection
from c2m.settings import Settings
from c2m.workers.ingest import IngestWorker
from c2m.workers.mqtt import broker_connection
from tests.conftest import World, free_port
from tests.integration.factory.fac_support import attempt, build_plant, machine_row
from tests.integration.mqtt.conftest import REQUIRE_MQTT, run, unique, until

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
C2M_PASSWORD = "c2m-platform-secret"

# The ACL of docs/machines.md ("Securing the machine bus"): a machine's user name is
# <factory>/<machine>, it writes under its own topics and reads only its own commands.
ACL = """\
pattern write c2m/v1/%u/#
pattern read c2m/v1/%u/cmd

user c2m
topic readwrite c2m/v1/#
"""

CONFIG = """\
user {user}
per_listener_settings false
allow_anonymous false
password_file {directory}/passwd
acl_file {directory}/acl
persistence false
log_dest stderr
listener {port} 127.0.0.1
cafile {directory}/ca.pem
certfile {directory}/server.pem
keyfile {directory}/server.key
listener {cert_port} 127.0.0.1
cafile {directory}/ca.pem
certfile {directory}/server.pem
keyfile {directory}/server.key
require_certificate true
use_identity_as_username true
"""


@dataclass(frozen=True)
class SecureBroker:
    port: int
    cert_port: int
    """The listener where a client certificate's common name is the user name."""
    directory: Path

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    def settings(self, username: str, password: str) -> Settings:
        """What an operator of c2m sets (C2M_MQTT_*) to reach this broker."""
        return Settings(
            mqtt_url=f"mqtts://127.0.0.1:{self.port}",
            mqtt_username=username,
            mqtt_password=password,
            mqtt_ca_file=self.ca_file,
        )

    def certificate_settings(self) -> Settings:
        """c2m known by its client certificate (common name ``c2m``) instead of a password."""
        return Settings(
            mqtt_url=f"mqtts://127.0.0.1:{self.cert_port}",
            mqtt_ca_file=self.ca_file,
            mqtt_client_cert=self.directory / "c2m.pem",
            mqtt_client_key=self.directory / "c2m.key",
        )

    def machine(self, factory: str, machine: str, password: str) -> aiomqtt.Client:
        """A machine's own connection: its user name is <factory>/<machine>."""
        login = BrokerConnection(
            "127.0.0.1",
            self.port,
            tls=True,
            ca_file=self.ca_file,
            username=f"{factory}/{machine}",
            password=password,
        )
        return login.client(f"{factory}-{machine}")


def _openssl(directory: Path, *arguments: str) -> None:
    subprocess.run(["openssl", *arguments], cwd=directory, check=True, capture_output=True)


def _certificates(directory: Path) -> None:
    """A certificate authority of the test's own, the broker's certificate it signed for
    127.0.0.1 (so hostname checking stays on), and c2m's client certificate."""
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl(
        directory,
        *("req", "-x509", *ec, "-subj", "/CN=c2m test CA", "-days", "1"),
        *("-keyout", "ca.key", "-out", "ca.pem"),
    )
    (directory / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for serial, (name, common_name) in enumerate((("server", "localhost"), ("c2m", "c2m")), 1):
        _openssl(
            directory,
            *("req", *ec, "-subj", f"/CN={common_name}"),
            *("-keyout", f"{name}.key", "-out", f"{name}.csr"),
        )
        _openssl(
            directory,
            *("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key"),
            *("-set_serial", str(serial), "-days", "1", "-extfile", "san.cnf"),
            *("-out", f"{name}.pem"),
        )


@pytest.fixture
def secure_bus(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], SecureBroker]]:
    """Starts Mosquitto with TLS, a password file for ``users`` and the ACL; stops it after."""
    missing = [p for p in (MOSQUITTO, MOSQUITTO_PASSWD) if not os.access(p, os.X_OK)]
    missing += [] if shutil.which("openssl") else ["openssl"]
    if missing:
        reason = f"{', '.join(missing)} not installed"
        if REQUIRE_MQTT:
            pytest.fail(reason)
        pytest.skip(reason)
    started: list[subprocess.Popen[bytes]] = []

    def start(users: dict[str, str]) -> SecureBroker:
        directory = tmp_path / "mosquitto"
        directory.mkdir()
        _certificates(directory)
        passwd = directory / "passwd"
        passwd.touch()
        for name, password in users.items():
            subprocess.run([MOSQUITTO_PASSWD, "-b", passwd, name, password], check=True)
        (directory / "acl").write_text(ACL)
        port, cert_port = free_port(), free_port()
        config = directory / "mosquitto.conf"
        # ``user``: the broker runs as whoever runs the test, so it may read the test's files.
        user = getpass.getuser()
        config.write_text(
            CONFIG.format(user=user, directory=directory, port=port, cert_port=cert_port)
        )
        log = (directory / "mosquitto.log").open("wb")
        started.append(subprocess.Popen([MOSQUITTO, "-c", config], stderr=log, stdout=log))
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return SecureBroker(port, cert_port, directory)
            except OSError:
                if time.monotonic() > deadline or started[-1].poll() is not None:
                    pytest.fail(
                        f"mosquitto did not start: {(directory / 'mosquitto.log').read_text()}"
                    )
                time.sleep(0.05)

    yield start
    for process in started:
        process.terminate()
        process.wait(10)


async def _hear(client: aiomqtt.Client, heard: list[str]) -> None:
    async for message in client.messages:
        heard.append(str(message.topic))


def test_a_machine_speaks_and_hears_only_as_itself_while_c2m_connects_as_itself(
    platform: Platform, world: World, secure_bus: Callable[[dict[str, str]], SecureBroker]
) -> None:
    ours, theirs = unique("x"), unique("y")
    x = build_plant(platform, world.maker_a.actor, world.enterprise_a.id, ours, "m1")
    y = build_plant(platform, world.maker_b.actor, world.enterprise_b.id, theirs, "m1")
    x1, y1 = x.machines["m1"], y.machines["m1"]
    broker = secure_bus({"c2m": C2M_PASSWORD, f"{ours}/m1": "x-secret", f"{theirs}/m1": "y-pw"})
    c2m = broker_connection(broker.settings("c2m", C2M_PASSWORD))
    assert C2M_PASSWORD not in f"{c2m} {c2m!r}"
    with platform.db.write() as session:
        job = service.issue_command(session, y1.id, "op1", nominal_s=60, lease_s=600)
    y_commands = topic(theirs, "m1", COMMAND)
    heard: dict[str, list[str]] = {"x": [], "y": []}
    worker = IngestWorker(platform.db, c2m, lease_s=600, client_id=unique("ingest"), mqtt5=True)

    async def scenario() -> None:
        ingest = asyncio.create_task(worker.run())
        await asyncio.wait_for(worker.connected.wait(), 10)
        async with (
            broker.machine(ours, "m1", "x-secret") as intruder,
            broker.machine(theirs, "m1", "y-pw") as owner,
        ):
            listeners = []
            for name, machine in (("x", intruder), ("y", owner)):
                await machine.subscribe(y_commands, qos=1)
                listeners.append(asyncio.create_task(_hear(machine, heard[name])))
            # X's machine says it is Y's, born and done with Y's job; then speaks as itself.
            forged = {"attempt_id": job.command.attempt_id, "outcome": "pass"}
            await intruder.publish(topic(theirs, "m1", "birth"), json.dumps({"bdSeq": 0}), qos=1)
            await intruder.publish(topic(theirs, "m1", "job/op1/done"), json.dumps(forged), qos=1)
            await intruder.publish(topic(ours, "m1", "birth"), json.dumps({"bdSeq": 0}), qos=1)
            await until(lambda: machine_row(platform, x1).state is MachineState.IDLE, "X's birth")
            async with MqttGateway(c2m, identifier=unique("dispatch")) as gateway:
                await gateway.send(job)
            await until(lambda: bool(heard["y"]), "Y's machine hears its command")
            await asyncio.sleep(0.5)  # the broker had all this time to tell X too
            for listener in listeners:
                listener.cancel()
        ingest.cancel()
        await asyncio.gather(ingest, *listeners, return_exceptions=True)

    run(scenario())
    assert heard == {"x": [], "y": [y_commands]}
    assert worker.stats.received == 1  # only X's own birth reached the platform
    assert machine_row(platform, y1).state is MachineState.OFFLINE
    assert attempt(platform, job.command.attempt_id).status is AttemptStatus.COMMANDED


def test_a_wrong_password_or_an_untrusted_broker_is_a_log_line_that_says_so(
    platform: Platform,
    secure_bus: Callable[[dict[str, str]], SecureBroker],
    caplog: pytest.LogCaptureFixture,
) -> None:
    broker = secure_bus({"c2m": C2M_PASSWORD})
    wrong = broker_connection(broker.settings("c2m", "not-the-password"))
    # No CA file: the system's authorities, which never signed the test's broker.
    untrusted = dataclasses.replace(
        broker_connection(broker.settings("c2m", C2M_PASSWORD)), ca_file=None
    )
    address = f"mqtts://127.0.0.1:{broker.port} as c2m"
    cases = [
        (
            wrong,
            f"the broker refused {address}: [code:135] Not authorized (check "
            "C2M_MQTT_USERNAME and C2M_MQTT_PASSWORD); trying again in",
        ),
        (
            untrusted,
            f"no connection to {address} ([SSL: CERTIFICATE_VERIFY_FAILED] certificate "
            "verify failed",
        ),
    ]

    async def refused(connection: BrokerConnection, says: str) -> None:
        worker = IngestWorker(platform.db, connection, lease_s=600, client_id=unique("ingest"))
        task = asyncio.create_task(worker.run())
        await until(lambda: says in caplog.text, says)
        assert not worker.connected.is_set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    with caplog.at_level(logging.WARNING, logger="c2m.workers.ingest"):
        for connection, says in cases:
            run(refused(connection, says))
    assert C2M_PASSWORD not in caplog.text
    assert "not-the-password" not in caplog.text


def test_c2m_may_be_known_by_its_client_certificate(
    platform: Platform, world: World, secure_bus: Callable[[dict[str, str]], SecureBroker]
) -> None:
    code = unique("x")
    m1 = build_plant(platform, world.maker_a.actor, world.enterprise_a.id, code, "m1").machines
    broker = secure_bus({f"{code}/m1": "x-secret"})
    c2m = broker_connection(broker.certificate_settings())
    worker = IngestWorker(platform.db, c2m, lease_s=600, client_id=unique("ingest"), mqtt5=True)

    async def scenario() -> None:
        ingest = asyncio.create_task(worker.run())
        await asyncio.wait_for(worker.connected.wait(), 10)
        async with broker.machine(code, "m1", "x-secret") as machine:
            await machine.publish(topic(code, "m1", "birth"), json.dumps({"bdSeq": 0}), qos=1)
        await until(lambda: machine_row(platform, m1["m1"]).state is MachineState.IDLE, "birth")
        ingest.cancel()
        await asyncio.gather(ingest, return_exceptions=True)

    run(scenario())
