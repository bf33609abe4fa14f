"""Lights-out for real, with no twin: ``c2m serve``, ``c2m worker`` and the example printer
client (one process per machine) make a customer's uploaded part. The printer fetches the part's
file with its own login, checks its size and hash against the job document, reports it done,
and the order reaches ``delivered``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from bench.harness import (
    ROOT,
    ServerProcess,
    WorkerProcess,
    free_port,
    fresh_database,
    seed,
    server_env,
)
from sqlalchemy import select

from c2m.domains.factory.models import AttemptStatus, Factory, JobAttempt, Machine
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.platform.models import Enterprise
from c2m.domains.quoting.quoters import open_quoting
from c2m.kernel.db import Database
from tests.api.quoting_support import box_stl
from tests.integration.mqtt.conftest import unique

EXAMPLE = ROOT / "examples" / "printer_client.py"
MACHINES = {"p1": ["fdm-print"], "q1": ["inspect", "pack"]}
SPEED = "600"
MOSQUITTO = "/usr/sbin/mosquitto"  # the factory's clock and the printers both run 600 times faster

pytestmark = pytest.mark.xdist_group("plants")  # one whole plant at a time


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def broker() -> Iterator[tuple[int, Path]]:
    """A Mosquitto of this test's own on a free port, logging subscriptions (so the test knows
    when the worker listens) and free of other tests' machines."""
    if not Path(MOSQUITTO).exists():
        pytest.skip(f"no {MOSQUITTO}")
    with tempfile.TemporaryDirectory() as folder:
        yield from _mosquitto(Path(folder))


def _mosquitto(home: Path) -> Iterator[tuple[int, Path]]:
    home.chmod(0o777)  # started as root, the broker drops to a user of its own
    port, log = free_port(), home / "mosquitto.log"
    config = home / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        f"log_dest file {log}\nlog_type subscribe\nlog_type error\nlog_type warning\n"
    )
    process = subprocess.Popen([MOSQUITTO, "-c", str(config)])
    try:
        wait_for(log.exists, "Mosquitto to start", timeout=10)
        yield port, log
    finally:
        process.terminate()
        process.wait(10)


def open_plant(url: str, enterprise_id: str, code: str) -> None:
    db = Database(url)
    with db.write() as session:
        enterprise = session.get(Enterprise, enterprise_id)
        assert enterprise is not None
        open_quoting(session, enterprise)
        factory = Factory(enterprise_id=enterprise_id, code=code, name="Garage")
        session.add(factory)
        session.flush()
        session.add_all(
            Machine(factory_id=factory.id, code=machine, name=machine, capabilities=capabilities)
            for machine, capabilities in MACHINES.items()
        )
    db.dispose()


def machine_secret(env: dict[str, str], factory: str, machine: str) -> str:
    """``c2m machine secret``, as an operator runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "c2m.cli.main", "machine", "secret", factory, machine],
        env=env,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode().strip()


def connected(url: str, code: str) -> bool:
    """Every machine of the factory has said its birth: only connected machines promise dates."""
    db = Database(url)
    try:
        with db.read() as session:
            states = session.scalars(
                select(Machine.state).join(Factory).where(Factory.code == code)
            ).all()
    finally:
        db.dispose()
    return bool(states) and all(state is not MachineState.OFFLINE for state in states)


def wait_for(check: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_serve_worker_and_example_printers_make_a_quoted_part(
    database: str, broker: tuple[int, Path], tmp_path: Path
) -> None:
    host, (port, broker_log) = "127.0.0.1", broker
    code = unique("garage")
    seeded = seed(database, customers=1)
    open_plant(database, seeded.enterprise_id, code)
    web_port = free_port()
    env = server_env(
        database,
        tmp_path / "data",
        C2M_MQTT_URL=f"mqtt://{host}:{port}",
        C2M_BASE_URL=f"http://127.0.0.1:{web_port}",
        C2M_FACTORY_TIME_SCALE=SPEED,
        C2M_CARRIER_DELAY_SECONDS="600",
        C2M_PRODUCTION_TICK_SECONDS="0.5",
        C2M_ANALYSIS_SECONDS="60",  # a loaded test machine is slow to analyse (issue 14, item 7)
        C2M_WORKER_ID=unique("worker"),
    )
    secrets = {machine: machine_secret(env, code, machine) for machine in MACHINES}
    server = ServerProcess(env, web_port, tmp_path / "serve.log")
    worker = WorkerProcess(env, tmp_path / "worker.log")
    printers: dict[str, subprocess.Popen[bytes]] = {}
    logs = {machine: tmp_path / f"{machine}.log" for machine in MACHINES}
    try:
        server.start()
        worker.start()
        # Births are not retained: the printers start once the worker's ingest hears them.
        wait_for(lambda: "c2m/v1/+/+/birth" in broker_log.read_text(), "the ingest", 60)
        for machine, secret in secrets.items():
            with logs[machine].open("wb") as log:
                printers[machine] = subprocess.Popen(
                    [sys.executable, str(EXAMPLE), f"mqtt://{host}:{port}", code, machine, secret],
                    env={**os.environ, "PRINTER_SPEED": SPEED, "PLATFORM_URL": server.url},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        _, token = seeded.customers[0]
        customer = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        part = box_stl((20, 20, 20))
        wait_for(lambda: connected(database, code), "the printers' births", 60)
        uploaded = customer.post(
            "/api/v1/uploads",
            params={"enterprise_id": seeded.enterprise_id},
            files=[("files", ("cube.stl", part, "model/stl"))],
        )
        assert uploaded.status_code == 201, uploaded.text
        body = {"upload_id": uploaded.json()[0]["id"], "process": "fdm", "material": "PLA"}
        quote = customer.post("/api/v1/quotes", json={**body, "quantity": 1})
        assert quote.status_code == 201, quote.text
        order = customer.post("/api/v1/quote-orders", json={"quote_ids": [quote.json()["id"]]})
        assert order.status_code == 201, order.text
        order_id = order.json()["id"]
        paid = customer.post(f"/api/v1/orders/{order_id}/pay", json={"payment_method": "test-ok"})
        assert paid.status_code < 300, paid.text

        def state() -> str:
            return str(customer.get(f"/api/v1/orders/{order_id}").json()["state"])

        wait_for(lambda: state() == "delivered", "the order to be delivered")
    finally:
        for process in printers.values():
            process.kill()
            process.wait()
        worker.stop()
        server.stop()

    printed = logs["p1"].read_text()
    assert f"{len(part)} bytes, sha256 checked" in printed, printed
    assert "Traceback" not in printed
    db = Database(database)
    with db.read() as session:
        attempts = list(
            session.scalars(select(JobAttempt).where(JobAttempt.status == AttemptStatus.DONE))
        )
        commands = [a.command for a in attempts if a.command]
    db.dispose()
    made = [c for c in commands if c["job"]["operation"]["capability"] == "fdm-print"]
    assert len(made) == 1
    job = made[0]["job"]
    assert job["product"] == "Custom part (from your CAD file)"
    assert job["quantity"] == 1
    assert job["material"] == "PLA"
    assert job["artifact"]["sha256"] == hashlib.sha256(part).hexdigest()
    assert job["artifact"]["size"] == len(part)
    assert job["artifact"]["filename"] == "cube.stl"
    assert all(c["job"]["artifact"] is None for c in commands if c is not made[0])
