"""A plant run the way a deployment runs it: separate ``c2m serve``, ``c2m worker`` and
``c2m twin`` processes on one PostgreSQL database and one MQTT broker, any of which can be
SIGKILLed. Used by tests/integration/mqtt/test_plant.py and bench/failover.py.

Nothing here is part of the product; it only drives it from the outside.
"""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select

from bench.harness import ROOT, ServerProcess, WorkerProcess, free_port, server_env
from c2m.domains.catalog.schemas import TemplateDefinition


@dataclass(frozen=True)
class Shop:
    """A micro-enterprise with its own plant and the demo templates."""

    enterprise_id: str
    factory_id: str
    factory_code: str
    template_ids: tuple[str, ...]


@dataclass(frozen=True)
class PlantSeed:
    customers: tuple[str, ...]  # API tokens
    shops: tuple[Shop, ...]


def seed_plant(database_url: str, workdir: Path, shops: int = 2, customers: int = 4) -> PlantSeed:
    """Customers with API tokens and ``shops`` micro-enterprises, each with a copy of the demo
    plant (its factory file written to ``workdir/<code>.json`` for ``c2m twin``)."""
    from c2m.demo.factory import DEMO_FACTORY
    from c2m.demo.templates import DEMO_TEMPLATES
    from c2m.domains.catalog import templates
    from c2m.domains.catalog.schemas import NewTemplate
    from c2m.domains.factory.service import register_plant
    from c2m.domains.platform import service as accounts
    from c2m.domains.platform.actor import Actor
    from c2m.domains.platform.schemas import SignUp
    from c2m.engines.simulation.loading import factory_from_dict
    from c2m.kernel.db import Database

    db = Database(database_url)
    password = secrets.token_urlsafe(16)
    tokens: list[str] = []
    made: list[Shop] = []
    run = secrets.token_hex(3)
    with db.write() as session:
        for number in range(customers):
            user = accounts.create_user(
                session,
                SignUp(email=f"c{number}@plant.example", name=f"C{number}", password=password),
            )
            tokens.append(accounts.create_token(session, Actor.of(user), "plant")[1])
        for number in range(shops):
            owner = accounts.create_user(
                session,
                SignUp(email=f"maker{number}@plant.example", name="Maker", password=password),
                is_maker=True,
            )
            enterprise = accounts.create_enterprise(
                session, f"Works {number}", f"works-{number}", owner
            )
            session.refresh(owner)
            code = f"plant{number}-{run}"
            # Telemetry every quarter of a simulated hour: at thousands of times real time the
            # demo's minute would be thousands of messages a second, far beyond any real plant.
            machines = [{**m, "telemetry_period_s": 900} for m in DEMO_FACTORY["machines"]]
            plan = {**DEMO_FACTORY, "id": code, "machines": machines}
            (workdir / f"{code}.json").write_text(json.dumps(plan))
            factory = register_plant(session, enterprise.id, factory_from_dict(plan))
            created = [
                templates.create_template(
                    session,
                    Actor.of(owner),
                    enterprise.id,
                    NewTemplate(
                        definition=_own(TemplateDefinition.of(template), number), published=True
                    ),
                )
                for template in DEMO_TEMPLATES
            ]
            made.append(
                Shop(enterprise.id, factory.id, code, tuple(t.template.id for t in created))
            )
    db.dispose()
    return PlantSeed(tuple(tokens), tuple(made))


def _own(definition: TemplateDefinition, shop: int) -> TemplateDefinition:
    """The shop's copy of a demo template, published (product short names are unique)."""
    return definition.model_copy(update={"key": f"{definition.key}-{shop}"})


def place_and_pay(base_url: str, token: str, template_id: str) -> tuple[str, int]:
    """A customer designs a product (defaults), orders it and pays: (order id, the order's
    version right after it was placed)."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        design = client.post(
            "/api/v1/designs",
            json={"template_id": template_id, "name": "Mine", "configuration": {}},
        )
        design.raise_for_status()
        order = client.post(f"/api/v1/designs/{design.json()['id']}/order")
        order.raise_for_status()
        placed = order.json()
        paid = client.post(
            f"/api/v1/orders/{placed['id']}/pay",
            json={"payment_method": "test-ok", "expected_version": placed["version"]},
        )
        paid.raise_for_status()
        return placed["id"], placed["version"]


@dataclass
class Follower:
    """One SSE subscriber of one order's timeline that, when its server dies, reconnects to the
    next one with ``Last-Event-ID``, as a browser's EventSource would."""

    order_id: str
    token: str
    urls: list[str]
    events: list[dict[str, Any]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    reconnects: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    error: str | None = None

    def follow(self, until: Callable[[dict[str, Any]], bool], deadline: float) -> None:
        try:
            while not self.done.is_set() and time.monotonic() < deadline:
                try:
                    self._stream(until, deadline)
                except httpx.HTTPError:
                    self.reconnects += 1
                    self.urls.append(self.urls.pop(0))  # the next server
                    time.sleep(0.2)
        except Exception as exc:  # reported to the test, never swallowed
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.done.set()

    def _stream(self, until: Callable[[dict[str, Any]], bool], deadline: float) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.events:
            headers["Last-Event-ID"] = str(self.events[-1]["seq"])
        url = f"{self.urls[0]}/api/v1/orders/{self.order_id}/events"
        timeout = httpx.Timeout(10, read=30)
        with httpx.stream("GET", url, headers=headers, timeout=timeout) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                event = json.loads(line[5:])
                self.arrivals.append(time.time())
                self.events.append(event)
                if until(event) or time.monotonic() > deadline:
                    self.done.set()
                    return


def delivered(event: dict[str, Any]) -> bool:
    return bool(event.get("type") == "delivered")


@dataclass
class Plant:
    """The processes of one plant run; ``start`` brings them all up, ``stop`` takes them down."""

    database_url: str
    workdir: Path
    seeded: PlantSeed
    mqtt_url: str
    webs: int = 2
    workers: int = 2
    speed: float = 3600.0
    extra_env: dict[str, str] = field(default_factory=dict)
    servers: list[ServerProcess] = field(default_factory=list)
    factory_workers: list[WorkerProcess] = field(default_factory=list)
    twin: subprocess.Popen[bytes] | None = None

    def env(self, **extra: str) -> dict[str, str]:
        return server_env(
            self.database_url,
            self.workdir,
            C2M_MQTT_URL=self.mqtt_url,
            C2M_FACTORY_TIME_SCALE=str(self.speed),
            C2M_PLAN_SECONDS="1.0",
            C2M_DISPATCH_LEASE_MARGIN_SECONDS="5",
            C2M_CARRIER_DELAY_SECONDS=str(0.5 * self.speed),
            **self.extra_env,
            **extra,
        )

    def start(self) -> None:
        for number in range(self.workers):
            worker = WorkerProcess(
                self.env(C2M_WORKER_ID=f"worker-{number}"),
                self.workdir / f"worker-{number}.log",
            )
            self.factory_workers.append(worker)
            worker.start()
        for number in range(self.webs):
            server = ServerProcess(self.env(), free_port(), self.workdir / f"web-{number}.log")
            self.servers.append(server)
            server.start()
        plans = [str(self.workdir / f"{shop.factory_code}.json") for shop in self.seeded.shops]
        command = [sys.executable, "-m", "c2m.cli.main", "twin", "--url", self.mqtt_url]
        command += ["--speed", str(self.speed)]
        for path in plans:
            command += ["--machines", path]
        with (self.workdir / "twin.log").open("ab") as log:
            self.twin = subprocess.Popen(
                command, env=self.env(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )

    def stop(self) -> None:
        if self.twin is not None and self.twin.poll() is None:
            self.twin.send_signal(signal.SIGINT)
            try:
                self.twin.wait(10)
            except subprocess.TimeoutExpired:
                self.twin.kill()
        for process in [*self.servers, *self.factory_workers]:
            process.stop()

    def leaders(self) -> dict[str, tuple[str | None, int, float]]:
        """Factory code → (holder, epoch, seconds the lease has left)."""
        from c2m.domains.factory.models import Factory, FactoryLease
        from c2m.kernel.clock import utcnow

        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    select(
                        Factory.code,
                        FactoryLease.holder,
                        FactoryLease.epoch,
                        FactoryLease.expires_at,
                    ).join(FactoryLease, FactoryLease.factory_id == Factory.id)
                ).all()
        finally:
            engine.dispose()
        now = utcnow()
        return {
            code: (holder, epoch, (expires - now).total_seconds())
            for code, holder, epoch, expires in rows
        }

    def wait_for_leaders(self, timeout: float = 30.0) -> dict[str, str]:
        """Wait until every shop's factory has a live leader; factory code → worker id."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            held = {
                code: holder
                for code, (holder, _, left) in self.leaders().items()
                if holder is not None and left > 0
            }
            if len(held) == len(self.seeded.shops):
                return held
            time.sleep(0.1)
        raise TimeoutError(f"not every factory found a leader in {timeout} s: {self.leaders()}")

    def worker(self, worker_id: str) -> WorkerProcess:
        return next(w for w in self.factory_workers if w.env["C2M_WORKER_ID"] == worker_id)


@contextmanager
def running(plant: Plant) -> Iterator[Plant]:
    try:
        plant.start()
        yield plant
    finally:
        plant.stop()
