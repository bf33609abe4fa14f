"""What the benchmarks and the crash-safety test share: a fresh database, seeded customers with
API tokens, a real ``c2m serve`` process that can be SIGKILLed and restarted, and the
docs/benchmarks.md writer.

Nothing here is part of the product; it only drives it from the outside.
"""

from __future__ import annotations

import os
import platform as pyplatform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"
POSTGRES_URL = os.environ.get(
    "C2M_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(kind: str, workdir: Path) -> Iterator[str]:
    """A new, migrated database: a SQLite file in ``workdir`` or a new PostgreSQL database
    (dropped afterwards)."""
    from c2m.migrations import upgrade

    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'c2m.sqlite3'}"
        upgrade(url)
        yield url
        return
    if kind != "postgresql":
        raise ValueError(f"unknown database kind {kind!r}; use sqlite or postgresql")
    name = f"c2m_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Seeded:
    """Customers (user id, API token), the enterprise owner and the product they order."""

    customers: list[tuple[str, str]]
    owner_token: str
    enterprise_id: str
    product_id: str


def seed(database_url: str, customers: int = 4) -> Seeded:
    """Create ``customers`` users with API tokens and one micro-enterprise with one product."""
    from c2m.domains.catalog.models import Product
    from c2m.domains.platform import service as accounts
    from c2m.domains.platform.actor import Actor
    from c2m.domains.platform.schemas import SignUp
    from c2m.kernel.db import Database

    db = Database(database_url)
    password = secrets.token_urlsafe(16)
    people: list[tuple[str, str]] = []
    with db.write() as session:
        for number in range(customers):
            user = accounts.create_user(
                session,
                SignUp(email=f"c{number}@bench.example", name=f"C{number}", password=password),
            )
            _, token = accounts.create_token(session, Actor.of(user), "bench")
            people.append((user.id, token))
        owner = accounts.create_user(
            session,
            SignUp(email="maker@bench.example", name="Maker", password=password),
            is_maker=True,
        )
        enterprise = accounts.create_enterprise(session, "Bench Works", "bench", owner)
        product = Product(enterprise_id=enterprise.id, slug="widget", name="Widget", unit_price=990)
        session.add(product)
        session.flush()
        product_id = product.id
        enterprise_id = enterprise.id
        _, owner_token = accounts.create_token(session, Actor.of(owner), "bench")
    db.dispose()
    return Seeded(people, owner_token, enterprise_id, product_id)


def server_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("C2M_")}
    env.update(
        C2M_DATABASE_URL=database_url,
        C2M_DATA_DIR=str(data_dir),
        C2M_SECRET_KEY="bench-" + "k" * 40,
        C2M_OUTBOX_POLL_SECONDS="0.2",
        C2M_PAYMENT_WEBHOOK_DELAY="0.05",
        # A benchmark's clients are its load, not abuse: no rate limit may shape the figures.
        C2M_API_CALLS_PER_TOKEN="1000000 per second",
        C2M_UPLOADS_PER_PERSON="1000000 per second",
    )
    env.update(extra)
    return env


class ChildProcess:
    """A c2m command as a child in its own session, so a SIGKILL hits it and its children."""

    process: subprocess.Popen[bytes] | None = None

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no flush, no goodbye."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class ServerProcess(ChildProcess):
    """``c2m serve`` as a child process (the venv's Python, no ``uv`` in between, so a SIGKILL
    hits the server itself), on a fixed port across restarts."""

    def __init__(
        self,
        env: dict[str, str],
        port: int,
        log_path: Path,
        module: str = "c2m.cli.main",
        arguments: tuple[str, ...] = (),
    ) -> None:
        self.env = env
        self.module = module
        self.arguments = arguments
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 60.0) -> None:  # a busy machine imports slowly
        command = [sys.executable, "-m", self.module, *self.arguments]
        if self.module == "c2m.cli.main":
            command.append("serve")
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the server exited early; see {self.log_path}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.03)
        raise RuntimeError(f"the server did not become healthy in {timeout} s; see {self.log_path}")


class WorkerProcess(ChildProcess):
    """``c2m worker`` as a child process (the factory tier: ingest, planning, dispatch, outbox
    relay), started and SIGKILLed like :class:`ServerProcess`; ready once it says it is running."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "c2m.cli.main", "worker"],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited early; see {self.log_path}")
            if b"is running" in self.log_path.read_bytes()[offset:]:
                return
            time.sleep(0.05)
        raise RuntimeError(f"the worker did not start in {timeout} s; see {self.log_path}")


#: A broker of the run's own: no other engineer's traffic, and no QoS 1 message ever dropped for
#: a full queue (Mosquitto's default keeps 1,000 per client and drops the rest, see
#: docs/deploy.md).
MOSQUITTO_CONF = """listener {port} 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_queued_bytes 0
queue_qos0_messages true
"""


@contextmanager
def own_mosquitto(workdir: Path) -> Iterator[int]:
    """Mosquitto on a free port for the length of the block; yields the port."""
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = free_port()
    conf = workdir / "mosquitto.conf"
    conf.write_text(MOSQUITTO_CONF.format(port=port))
    process = subprocess.Popen([binary, "-c", str(conf)], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"mosquitto did not start on port {port}") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def machine() -> str:
    cpus = os.cpu_count() or 0
    system = f"{pyplatform.system()} {pyplatform.machine()}"
    return f"{system}, {cpus} cores, Python {pyplatform.python_version()}"


def command_line() -> str:
    rel = Path(sys.argv[0]).resolve()
    with_root = rel.relative_to(ROOT) if rel.is_relative_to(ROOT) else rel
    return "uv run python " + " ".join([str(with_root), *sys.argv[1:]])


SHARED_CPU_NOTE = (
    "The 2 CPU cores were shared with other engineers' test runs while these figures were taken, "
    "so absolute numbers wander from run to run; the ratios between a path and its peer measured "
    "in the same run are what count."
)


def append_section(heading: str, intro: str, entry: str) -> None:
    """Append ``entry`` under ``## heading`` in docs/benchmarks.md, creating the section (with
    ``intro``) or the file if missing; other sections are left exactly as they are."""
    BENCHMARKS_MD.parent.mkdir(parents=True, exist_ok=True)
    if BENCHMARKS_MD.exists():
        doc = BENCHMARKS_MD.read_text()
    else:
        doc = (
            "# Benchmarks\n\n"
            "Reproducible measurements; each compares c2m with a peer in the same run.\n"
        )
    title = f"## {heading}"
    match = re.search(rf"^{re.escape(title)}\s*$", doc, flags=re.M)
    if match is None:
        doc = doc.rstrip("\n") + f"\n\n{title}\n\n{intro.strip()}\n\n{entry.strip()}\n"
    else:
        following = re.search(r"^## ", doc[match.end() :], flags=re.M)
        end = match.end() + following.start() if following else len(doc)
        section = doc[:end].rstrip("\n") + f"\n\n{entry.strip()}\n"
        rest = doc[end:]
        doc = section + ("\n" + rest if rest else "")
    BENCHMARKS_MD.write_text(doc)


def run_entry(
    title: str, columns: Sequence[str], rows: Sequence[str], summary: str, note: str = ""
) -> str:
    """One run's entry in docs/benchmarks.md: when and what, the command that produced it on
    which machine (``note`` adds e.g. the load), its table (first column text, the rest
    numbers; ``rows`` already written as Markdown rows) and its summary sentence."""
    header = f"| {' | '.join(columns)} |\n|---|" + "---:|" * (len(columns) - 1)
    return "\n".join(
        [
            f"### {stamp()}: {title}",
            "",
            f"`{command_line()}` on {machine()}{note}.",
            "",
            header,
            *rows,
            "",
            summary[0].upper() + summary[1:],
        ]
    )


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
