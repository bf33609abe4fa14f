"""Behind PgBouncer in transaction mode (as docs/deploy.md advises for many web processes), where
each transaction may run on another server session: orders are paid, planned under a lease, made
and shipped; a stale leader is still fenced off by the database."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from c2m.bootstrap import Platform, build_platform
from c2m.domains.factory import leases
from c2m.domains.planning.models import Plan
from c2m.kernel.clock import utcnow
from c2m.workers.production import ProductionLoop
from tests.conftest import REQUIRE_POSTGRES, World, _truncate_all, free_port, make_settings
from tests.factory_support import Plant, paid_orders, production, run_until_shipped

pytestmark = pytest.mark.postgres
PGBOUNCER = Path("/usr/sbin/pgbouncer")
CONFIG = """\
[databases]
* = host={host} port={port}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/users.txt
pool_mode = transaction
default_pool_size = 3
max_client_conn = 400
ignore_startup_parameters = extra_float_digits,options
"""


def _runs_as() -> list[str]:
    """PgBouncer refuses to run as root: under root, run it as the postgres (or nobody) user."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"]
    pytest.fail("running as root with neither a postgres nor a nobody user to run PgBouncer as")


@pytest.fixture
def bouncer(postgres_server_url: str) -> Iterator[str]:
    """A PgBouncer in transaction mode on a free port in front of the test database."""
    if not PGBOUNCER.exists():
        reason = f"no PgBouncer at {PGBOUNCER} (apt-get install pgbouncer)"
        if REQUIRE_POSTGRES:
            pytest.fail(reason + " and C2M_REQUIRE_POSTGRES=1")
        pytest.skip(reason)
    target = make_url(postgres_server_url)
    directory = Path(tempfile.mkdtemp(prefix="c2m-pgbouncer-"))
    directory.chmod(0o755)  # read by the user PgBouncer runs as
    port = free_port()
    config = CONFIG.format(
        host=target.host, port=target.port or 5432, listen=port, directory=directory
    )
    (directory / "pgbouncer.ini").write_text(config)
    (directory / "users.txt").write_text(f'"{target.username}" ""\n')
    log = (directory / "pgbouncer.log").open("wb")
    process = subprocess.Popen(
        [*_runs_as(), str(PGBOUNCER), str(directory / "pgbouncer.ini")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, (directory / "pgbouncer.log").read_text()
                assert time.monotonic() < deadline, "PgBouncer did not start within 10 s"
                time.sleep(0.05)
        yield target.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    finally:
        process.terminate()
        process.wait(10)
        log.close()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def platform(bouncer: str, postgres_server_url: str, tmp_path: Path) -> Iterator[Platform]:
    """The platform on the pooled URL, LISTEN on a direct one, as docs/deploy.md says."""
    _truncate_all(postgres_server_url)
    settings = make_settings(
        bouncer,
        tmp_path,
        database_prepared_statements=False,
        listen_database_url=postgres_server_url,
    )
    built = build_platform(settings)
    yield built
    built.shutdown()


def test_orders_are_made_and_a_stale_leader_fenced_off_through_pgbouncer(
    client: TestClient, world: World, platform: Platform
) -> None:
    plant = Plant(platform, world)
    orders = paid_orders(client, world, 3)
    loop = ProductionLoop(platform.db, plant.gateway, production(platform))
    run_until_shipped(loop, plant, orders)

    def follow(order_id: str) -> set[int]:  # many phones at once: sessions change under them
        return {
            client.get(f"/api/v1/orders/{order_id}", headers=world.alice.headers).status_code
            for _ in range(25)
        }

    with ThreadPoolExecutor(8) as phones:
        assert set().union(*phones.map(follow, orders * 3)) == {200}

    (factory_id,) = loop.leases
    old = loop.leases[factory_id]
    with platform.db.read() as session:
        epochs = set(session.scalars(select(Plan.epoch).where(Plan.factory_id == factory_id)))
    assert epochs == {old.epoch}
    ttl = platform.settings.lease_seconds
    later = utcnow() + timedelta(seconds=2 * ttl)  # the leader fell silent; its lease lapsed
    with platform.db.write() as session:
        alive = leases.beat(session, "worker-b", later, ttl)
        taken = leases.share(session, "worker-b", {}, alive, later, ttl)
    assert taken[factory_id].epoch == old.epoch + 1
    with pytest.raises(DBAPIError) as refused, platform.db.write() as session:
        session.add(
            Plan(
                factory_id=factory_id,
                reason="stale leader",
                operations=0,
                moved=0,
                solver="-",
                seconds=0,
                epoch=old.epoch,
            )
        )
    assert leases.is_stale(refused.value)
