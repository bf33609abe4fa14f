"""Issue 15's acceptance: a quoted part is routed to a maker, made on their printer, delivered.

Everything is real but the customer's clicks: Alpha Works sends its quoted parts to makers;
Riverside Prints joins as a maker and registers a printer, a real OctoPrint with its virtual
printer, connected by ``c2m agent`` (as a process, slicing with PrusaSlicer) over Mosquitto.
Alice uploads an STL, orders and pays it; the makers' sweep routes it, the maker accepts, the
workshop's production loop plans and dispatches it, the agent slices it, uploads the G-code to
OctoPrint, the virtual printer prints it, and the order ships and is delivered.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.factory.mqtt_gateway import MqttGateway
from c2m.domains.makers.order_jobs import route_paid_parts
from c2m.domains.orders.models import Order
from c2m.kernel.clock import utcnow
from c2m.kernel.mqtt import BrokerConnection
from c2m.workers.ingest import IngestWorker
from c2m.workers.production import ProductionLoop
from tests.api.quoting_support import box_stl, open_shop
from tests.api.test_makers import JOIN, PRINTER
from tests.conftest import LiveServer, World
from tests.integration.mqtt.conftest import run, unique, until
from tests.octoprint_server import OctoPrintServer, octoprint
from tests.slicer_support import SLICER, tiny_profile

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def printer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OctoPrintServer]:
    with octoprint(tmp_path_factory.mktemp("octoprint")) as server:
        yield server


def api(http: httpx.Client, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
    answer = http.request(method, f"/api/v1{path}", headers=headers, **kw)
    assert answer.status_code < 300, answer.text
    return answer.json()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_quoted_part_is_printed_by_a_maker_and_delivered(
    platform: Platform,
    world: World,
    plant_broker: BrokerConnection,
    printer: OctoPrintServer,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    open_shop(platform, world.enterprise_a)
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        owner, maker, alice = world.maker_a.headers, world.bob.headers, world.alice.headers
        quoting = f"/enterprises/{world.enterprise_a.id}/quoting-service"
        api(http, "PUT", quoting, owner, json={"to_makers": True})
        workshop = api(http, "POST", "/makers", maker, json=JOIN | {"display_name": "Riverside"})
        machine = api(http, "POST", "/makers/me/machines", maker, json=PRINTER | {"calendar": None})
        login = api(http, "POST", f"/makers/me/machines/{machine['id']}/secret", maker)
        files = [("files", ("clip.stl", box_stl((6, 6, 2)), "model/stl"))]
        uploaded = http.post(
            "/api/v1/uploads",
            params={"enterprise_id": world.enterprise_a.id},
            files=files,
            headers=alice,
        )
        assert uploaded.status_code == 201, uploaded.text
        quote = {"upload_id": uploaded.json()[0]["id"], "process": "fdm", "material": "PLA"}
        priced = api(http, "POST", "/quotes", alice, json=quote | {"quantity": 1})
        order = api(http, "POST", "/quote-orders", alice, json={"quote_ids": [priced["id"]]})
        api(http, "POST", f"/orders/{order['id']}/pay", alice, json={"payment_method": "test-ok"})
        with platform.db.write() as session:
            assert route_paid_parts(session, utcnow(), "DE") == 1
        [offer] = api(http, "GET", "/makers/me/offers", maker)
        api(http, "POST", f"/makers/me/offers/{offer['id']}/accept", maker)

    agent_log = tmp_path / "agent.log"
    command = [sys.executable, "-m", "c2m.cli.main", "agent"]
    command += ["--factory", workshop["workshop_code"], "--machine", PRINTER["code"]]
    command += ["--secret", login["secret"], "--platform", live_server.url]
    command += ["--api-key", printer.api_key, "--printer-url", printer.url]
    command += ["--url", f"mqtt://{plant_broker.host}:{plant_broker.port}"]
    command += ["--journal", str(tmp_path / "journal.json")]
    command += ["--poll-seconds", "0.3", "--telemetry-seconds", "1"]
    command += ["--slicer", SLICER, "--slicer-profile", str(tiny_profile(tmp_path))]
    settings = platform.settings.model_copy(
        update={"base_url": live_server.url, "factory_time_scale": 1.0, "carrier_delay_seconds": 0}
    )

    def state() -> str:
        with platform.db.read() as session:
            return str(session.scalars(select(Order.state).where(Order.id == order["id"])).one())

    async def scenario() -> None:
        ingest = IngestWorker(platform.db, plant_broker, lease_s=900, client_id=unique("ingest"))
        listening = asyncio.create_task(ingest.run())
        await asyncio.wait_for(ingest.connected.wait(), 20)
        with agent_log.open("wb") as out:
            agent = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            async with MqttGateway(plant_broker) as gateway:
                loop = ProductionLoop(platform.db, gateway, settings)
                with ProcessPoolExecutor(max_workers=1) as pool:

                    async def produce() -> None:
                        while True:
                            await loop.tick(pool)
                            await asyncio.sleep(0.2)

                    producing = asyncio.create_task(produce())
                    try:
                        await until(lambda: state() == "delivered", "delivered", 240)
                    finally:
                        producing.cancel()
                        await asyncio.gather(producing, return_exceptions=True)
        finally:
            agent.terminate()
            await asyncio.to_thread(agent.wait, 20)
            listening.cancel()
            await asyncio.gather(listening, return_exceptions=True)

    try:
        run(scenario(), timeout=360)
    except BaseException:
        print(agent_log.read_text())  # pytest shows it with the failure
        raise
    assert "Traceback" not in agent_log.read_text()
    with printer.client() as octo:
        job = octo.get("/api/job").json()
    assert job["job"]["file"]["name"].startswith("clip-"), job
    assert job["job"]["file"]["name"].endswith(".gcode"), job
    assert job["progress"]["completion"] == 100.0, job
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        events = api(http, "GET", f"/orders/{order['id']}/events", world.alice.headers)
    kinds = [e["type"] for e in events]
    for expected in ("paid", "maker_chosen", "operation_started", "operation_done", "shipped"):
        assert expected in kinds, kinds
    assert kinds[-1] == "delivered", kinds
