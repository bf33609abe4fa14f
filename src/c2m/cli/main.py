"""The ``c2m`` command line."""

from __future__ import annotations

import contextlib
import logging
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from c2m import __version__
from c2m.bootstrap import Platform, build_factory, build_platform, configure, open_database
from c2m.cli.agent import register as register_agent
from c2m.cli.aggregate import register as register_aggregate
from c2m.cli.database import require_schema
from c2m.cli.enterprise import register as register_enterprise
from c2m.cli.errors import fail, guarded
from c2m.cli.health_server import HealthServer, bind
from c2m.cli.ledger import register as register_ledger
from c2m.cli.passport import register as register_passport
from c2m.cli.quote import register as register_quote
from c2m.cli.schedule import register as register_schedule
from c2m.cli.twin import register as register_twin
from c2m.demo.plant import CARRIER_DELAY_S, Plant
from c2m.demo.seed import DEMO_LOGINS, seed_demo, seed_demo_factory, seed_demo_shoppers
from c2m.kernel.db import Database
from c2m.kernel.errors import describe_validation
from c2m.kernel.health import describe
from c2m.settings import Settings

app = typer.Typer(
    help="c2m: the open customer-to-manufacturer platform.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
user_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
machine_app = typer.Typer(help="Manage machines.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(machine_app, name="machine")
register_schedule(app)
register_quote(app)
register_aggregate(app)
register_enterprise(app)
register_twin(app)
register_ledger(app)
register_passport(app)
register_agent(app)
console = Console()
log = logging.getLogger("c2m.cli")

Port = Annotated[int, typer.Option(min=1, max=65535, help="TCP port to listen on.")]
Host = Annotated[str, typer.Option(help="Address to listen on.")]


def _show_version(wanted: bool) -> None:
    if wanted:
        console.print(f"c2m {__version__}")
        raise typer.Exit


@app.callback()
def main(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and stop."
        ),
    ] = False,
) -> None:
    """c2m: the open customer-to-manufacturer platform."""


def _serve(platform: Platform, host: str, port: int, plant: Plant | None = None) -> None:
    """Serve the web app; with ``plant``, the factory (and its customers) run around it."""
    import uvicorn

    from c2m.web.app import create_app

    if plant is not None:
        plant.start()
    try:
        uvicorn.run(
            create_app(platform),
            host=host,
            port=port,
            log_config=None,  # uvicorn's loggers, its access log too, go through kernel.logs
            log_level=platform.settings.log_level.lower(),
            timeout_graceful_shutdown=3,  # open live timelines must not keep Ctrl-C waiting
        )
    finally:
        if plant is not None:
            with console.status("Stopping the factory…"):
                plant.stop()


@app.command()
@guarded
def demo(
    port: Port = 8000,
    host: Host = "127.0.0.1",
    data_dir: Annotated[Path, typer.Option(help="Where the demo keeps its database.")] = Path(
        ".c2m"
    ),
    reset: Annotated[bool, typer.Option(help="Delete the demo data and start over.")] = False,
    speed: Annotated[
        float, typer.Option(min=1, max=3600, help="Simulated seconds per second of the twin.")
    ] = 60.0,
    orders_per_minute: Annotated[
        float, typer.Option(min=0.1, max=600, help="How often simulated customers order.")
    ] = 2.0,
    shoppers: Annotated[
        bool, typer.Option(help="Run simulated customers who order and pay.")
    ] = True,
    mqtt_port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port of the embedded MQTT broker.")
    ] = None,
) -> None:
    """Start the whole platform with demo data, a digital-twin factory and customers."""
    from c2m.migrations import upgrade

    overrides: dict[str, object] = {
        "factory_time_scale": speed,
        "carrier_delay_seconds": CARRIER_DELAY_S,
    }
    if mqtt_port is not None:
        overrides["mqtt_port"] = mqtt_port
    settings = configure(
        demo=True, data_dir=data_dir, base_url=f"http://{host}:{port}", **overrides
    )
    if reset:
        if settings.database_url:
            fail("--reset only deletes the embedded SQLite demo; C2M_DATABASE_URL is set.")
        shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    with console.status("Preparing the database…"):
        upgrade(settings.sqlalchemy_url)
        platform = build_platform(settings)
        seeded = _seed(platform.db)
    _print_logins(seeded)
    plant = Plant(platform, orders_per_minute=orders_per_minute if shoppers else None)
    console.print(
        f"The digital-twin factory runs at {speed:g}x"
        + (f"; customers order about {orders_per_minute:g} times a minute." if shoppers else ".")
    )
    console.print(f"c2m is running at [bold]{settings.base_url}[/bold]  (Ctrl-C stops it)")
    _serve(platform, host, port, plant)
    console.print("c2m stopped.")


@app.command()
@guarded
def serve(port: Port = 8000, host: Host = "127.0.0.1") -> None:
    """Serve the web tier (pages, API, live timelines) as configured by C2M_* variables, e.g. on
    PostgreSQL; run `c2m worker` beside it to plan and make what is ordered."""
    settings = configure()
    require_schema(settings)
    platform = build_platform(settings, tier="web")
    console.print(f"c2m is serving at http://{host}:{port}")
    _serve(platform, host, port)


@app.command()
@guarded
def worker(
    health_port: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=65535,
            help="Port of /livez, /readyz and /metrics (0: none); default C2M_WORKER_HEALTH_PORT.",
        ),
    ] = None,
) -> None:
    """Run the factory tier as configured by C2M_* variables: the machines' ingest, planning and
    dispatch for the factories this worker leads, the outbox relay, pre-order settling and
    upkeep. Run as many as you like: each factory is led by one of them at a time."""
    settings = configure()
    platform = build_platform(settings, tier="worker")
    server = _health_server(platform, health_port)
    try:
        _await_database(settings)
        _work(platform)
    finally:
        if server is not None:
            server.stop()


def _health_server(platform: Platform, port: int | None) -> HealthServer | None:
    """Serve the worker's health before it waits for anything, so ``/readyz`` says what it
    waits for. A port chosen on purpose must be free; the default one is best effort (a second
    worker on the host goes without)."""
    settings = platform.settings
    chosen = port is not None or "worker_health_port" in settings.model_fields_set
    port = settings.worker_health_port if port is None else port
    if not port:
        return None
    try:
        sock = bind(settings.worker_health_host, port)
    except OSError as exc:
        where = f"{settings.worker_health_host}:{port}"
        if chosen:
            fail(f"Cannot serve the worker's health on {where}: {exc.strerror or exc}.")
        log.warning(
            "not serving /livez, /readyz and /metrics: %s is taken (%s); set "
            "C2M_WORKER_HEALTH_PORT to a free port",
            where,
            exc.strerror or exc,
        )
        return None
    server = HealthServer(sock, platform.health, platform.metrics, settings.log_level)
    server.start()
    log.info("health and metrics at %s (/livez, /readyz, /metrics)", server.address)
    return server


def _work(platform: Platform) -> None:
    """The factory tier until Ctrl-C or SIGTERM."""
    settings = platform.settings
    factory = build_factory(settings, platform.db, bus=platform.bus, health=platform.health)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    platform.start()
    factory.start(wait=False)
    console.print(f"c2m worker {settings.worker_id} is running (Ctrl-C stops it)")
    with contextlib.suppress(KeyboardInterrupt):
        while not stop.wait(1):  # a short wait, so signals are handled promptly
            pass
    with console.status("Stopping the worker…"):
        try:
            factory.stop()
        finally:
            platform.shutdown()
    console.print("c2m worker stopped.")


def _await_database(settings: Settings) -> None:
    """A worker outlives a database that is not up yet: it says so and tries again; a schema
    that is behind is a mistake to fix, not to wait for."""
    from sqlalchemy.exc import OperationalError

    while True:
        try:
            require_schema(settings)
            return
        except OperationalError as exc:
            log.warning("the database is not reachable: %s; trying again in 2 s", describe(exc))
            time.sleep(2)


@db_app.command("upgrade")
@guarded
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from c2m.migrations import upgrade

    settings = configure()
    open_database(settings).dispose()  # creates the data directory for SQLite
    upgrade(settings.sqlalchemy_url)
    console.print("The database schema is up to date.")


def _seed(db: Database) -> bool:
    """The demo's accounts, products, circle and factory; False if the accounts were there."""
    with db.write() as session:
        seeded = seed_demo(session)
        seed_demo_factory(session)
        seed_demo_shoppers(session)
    return seeded


def _print_logins(seeded: bool) -> None:
    table = Table(title="Demo log-ins" + (" (new)" if seeded else " (kept from last time)"))
    for column in ("role", "e-mail", "password"):
        table.add_column(column)
    for login in DEMO_LOGINS:
        table.add_row(login.role, login.email, login.password)
    console.print(table)


@db_app.command("seed-demo")
@guarded
def db_seed_demo() -> None:
    """Put the demo's accounts, products, circle and factory into the configured database (for
    example PostgreSQL, to run the demo as separate processes); a second run adds nothing."""
    settings = configure()
    require_schema(settings)
    db = open_database(settings)
    try:
        seeded = _seed(db)
    finally:
        db.dispose()
    _print_logins(seeded)


@user_app.command("create")
@guarded
def user_create(
    email: Annotated[str, typer.Option(help="Log-in e-mail address.")],
    name: Annotated[str, typer.Option(help="Name shown to others.")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    platform_owner: Annotated[bool, typer.Option(help="May use the back office.")] = False,
    maker: Annotated[bool, typer.Option(help="Offers capacity as a maker.")] = False,
    authority: Annotated[
        bool, typer.Option(help="A market-surveillance authority: sees every passport in full.")
    ] = False,
) -> None:
    """Create an account (e.g. the first platform owner)."""
    from c2m.domains.platform.schemas import SignUp
    from c2m.domains.platform.service import create_user

    try:
        data = SignUp(email=email, name=name, password=password)
    except ValidationError as exc:
        fail(describe_validation(list(exc.errors())))
    settings = configure()
    require_schema(settings)
    db = open_database(settings)
    with db.write() as session:
        user = create_user(
            session, data, is_platform_owner=platform_owner, is_maker=maker, is_authority=authority
        )
    db.dispose()
    console.print(f"Created {user.email}.")


@user_app.command("token")
@guarded
def user_token(
    email: Annotated[str, typer.Argument(help="The account's log-in e-mail address.")],
    name: Annotated[str, typer.Option(help="What the token is for, listed on the account page.")],
) -> None:
    """Print a new personal API token of EMAIL for scripts (shown once; revoke it on the
    account page)."""
    from sqlalchemy import select

    from c2m.domains.platform.actor import Actor
    from c2m.domains.platform.models import User
    from c2m.domains.platform.schemas import NewToken
    from c2m.domains.platform.service import create_token, normalise_email

    try:
        data = NewToken(name=name)
    except ValidationError as exc:
        fail(describe_validation(list(exc.errors())))
    settings = configure()
    require_schema(settings)
    db = open_database(settings)
    try:
        with db.write() as session:
            user = session.scalar(select(User).where(User.email == normalise_email(email)))
            if user is None:
                fail(f"There is no account with the e-mail address {email}.")
            _, secret = create_token(session, Actor.of(user), data.name)
    finally:
        db.dispose()
    typer.echo(secret)  # the token alone on standard output, for scripts


@machine_app.command("secret")
@guarded
def machine_secret(
    factory: Annotated[str, typer.Argument(help="The factory's code (its topic level).")],
    machine: Annotated[str, typer.Argument(help="The machine's code (its topic level).")],
) -> None:
    """Print a new secret of MACHINE in FACTORY (shown once; the old one stops working). The
    machine logs in as FACTORY/MACHINE with it, to fetch job files and on the MQTT broker."""
    from c2m.domains.factory import credentials

    settings = configure()
    require_schema(settings)
    db = open_database(settings)
    try:
        with db.write() as session:
            found = credentials.machine_named(session, factory, machine)
            _, secret = credentials.rotate_secret(session, found)
    finally:
        db.dispose()
    typer.echo(secret)  # the secret alone on standard output, for scripts


if __name__ == "__main__":  # pragma: no cover
    app()
