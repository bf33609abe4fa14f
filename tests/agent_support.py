"""Shared by the agent's tests: a stand-in printer, a small file server, a registered printer
and the job document the dispatcher would write for it."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import select

from c2m.agent.printer import Status
from c2m.bootstrap import Platform
from c2m.domains.factory import credentials
from c2m.domains.factory.contract import Artifact, JobDocument, OperationParameters
from c2m.domains.factory.credentials import FileLinks
from c2m.domains.factory.models import ArtifactStore, Factory, Machine, TelemetrySample
from c2m.domains.factory.service import Dispatch, issue_command
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.orders.models import OrderLine
from c2m.domains.orders.schemas import NewLine, NewOrder
from c2m.domains.planning.jobs import UPLOADED, JobWriter
from c2m.domains.planning.models import Operation, OperationStatus
from c2m.domains.planning.work_orders import open_work_order
from c2m.kernel.outbox import OutboxMessage
from tests.conftest import World, free_port, place_order, run_async
from tests.integration.mqtt.conftest import unique

T = TypeVar("T")


class StandIn:
    """A printer that is ``state`` and keeps what it was asked to print; it prints at once."""

    suffixes: tuple[str, ...] = (".gcode",)

    def __init__(self, state: MachineState = MachineState.IDLE) -> None:
        self.state = state
        self.printed: list[tuple[str, bytes]] = []

    async def version(self) -> str:
        return "stand-in"

    async def status(self) -> Status:
        if self.state is not MachineState.IDLE:
            return Status(self.state, "printing another")
        return Status(self.state, file=self.printed[-1][0] if self.printed else None, percent=100)

    async def print_file(self, name: str, data: bytes) -> str:
        self.printed.append((name, data))
        return name

    async def aclose(self) -> None:
        return None


class Files(BaseHTTPRequestHandler):
    """A handler that answers with bytes and keeps quiet (no line per request)."""

    def send_file(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` on a free port, in a thread, for the block's length; yields its address."""
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()


@contextmanager
def serving(body: bytes) -> Iterator[str]:
    """An HTTP server that answers ``body`` at any path, to any login, for the block's length."""

    class Handler(Files):
        def do_GET(self) -> None:
            self.send_file(body)

    with http_server(Handler) as url:
        yield url


class Registered(NamedTuple):
    code: str
    factory_id: str
    machine_id: str
    secret: str


def register_printer(platform: Platform, world: World) -> Registered:
    """A workshop of its own with one printer, ``prusa-1``, and the printer's secret."""
    code = unique("garage")
    with platform.db.write() as session:
        factory = Factory(enterprise_id=world.enterprise_a.id, code=code, name="Garage")
        session.add(factory)
        session.flush()
        machine = Machine(
            factory_id=factory.id, code="prusa-1", name="Prusa", capabilities=["fdm-print"]
        )
        session.add(machine)
        session.flush()
        _, secret = credentials.rotate_secret(session, machine)
        return Registered(code, factory.id, machine.id, secret)


def operations_to_make(
    platform: Platform, world: World, factory_id: str, files: dict[str, bytes]
) -> dict[str, str]:
    """An order with a line per file (name: bytes), as a quoted part is made: the file is the
    line's upload, its work order's one operation makes it from that file. Operation ids by
    file name."""
    uploads = ArtifactStore.UPLOADS.under(platform.settings.data_dir)
    lines = [NewLine(product_id=world.product_a.id, quantity=1) for _ in files]
    made = {}
    with platform.db.write() as session:
        order = place_order(session, world.bob.actor, NewOrder(lines=lines))
        rows = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))
        for line, (name, data) in zip(rows, files.items(), strict=True):
            stored = uploads.new_name()
            uploads.open_new(stored).write_bytes(data)
            line.configuration = {"upload_id": stored, "file": name}
            line.routing = [{"id": "make", "artifact": UPLOADED}]
            work = open_work_order(session, [line], factory_id, steps=[])
            operation = Operation(
                work_order_id=work.id,
                factory_id=factory_id,
                step="make",
                name="Make (FDM, PLA)",
                capability="fdm-print",
                minutes=1,
                predecessors=[],
                status=OperationStatus.PLANNED,
            )
            session.add(operation)
            session.flush()
            made[name] = operation.id
    return made


def job_writer(
    links: FileLinks, operation: str, name: str, data: bytes
) -> Callable[[int], JobDocument]:
    def write(expires: int) -> JobDocument:
        return JobDocument(
            product="Custom part (from your CAD file)",
            quantity=1,
            operation=OperationParameters(
                step="make", name="Make (FDM, PLA)", capability="fdm-print", nominal_s=30
            ),
            artifact=Artifact(
                url=links.link(operation, expires),
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                media_type="text/x.gcode" if name.endswith(".gcode") else "model/stl",
                filename=name,
                expires=expires,
            ),
        )

    return write


def dispatch(platform: Platform, base_url: str, machine_id: str, operation_id: str) -> Dispatch:
    """As the dispatcher commands an operation: attempt recorded, job document written, its file
    on the platform's signed link under ``base_url``."""
    data_dir = platform.settings.data_dir
    jobs = JobWriter(
        FileLinks(platform.settings.secret_key, base_url),
        ArtifactStore.UPLOADS.under(data_dir),
        ArtifactStore.ARTIFACTS.under(data_dir),
    )
    with platform.db.write() as session:
        operation = session.get(Operation, operation_id)
        assert operation is not None
        return issue_command(
            session,
            machine_id,
            operation.id,
            nominal_s=30,
            lease_s=900,
            capability="fdm-print",
            job=lambda expires: jobs.write(session, operation, 30, expires),
        )


def heard(
    platform: Platform, machine_id: str, attempt_id: str
) -> tuple[list[int], list[dict[str, Any]]]:
    """What the platform recorded of a machine: the attempt's progress percents, in order, and
    the machine's telemetry readings."""
    with platform.db.read() as session:
        progress = session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.topic == "factory.job.progress")
        ).all()
        samples = session.scalars(
            select(TelemetrySample.extra).where(TelemetrySample.machine_id == machine_id)
        ).all()
    percents = [p["percent"] for p in progress if p["attempt_id"] == attempt_id]
    return percents, [extra or {} for extra in samples]


def run_logged(scenario: Coroutine[Any, Any, T], log: Path, timeout: float) -> tuple[T, str]:
    """Run a scenario with an agent process writing to ``log``: its result and the log, which
    pytest shows if the scenario fails; a traceback in it fails the test."""
    try:
        result = run_async(scenario, timeout)
    except BaseException:
        print(log.read_text())
        raise
    said = log.read_text()
    assert "Traceback" not in said, said
    return result, said
