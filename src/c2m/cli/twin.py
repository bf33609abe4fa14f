"""``c2m twin``: the digital twin alone against any MQTT broker, until Ctrl-C or ``--hours``."""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from c2m.bootstrap import configure
from c2m.cli.errors import fail, guarded
from c2m.demo.factory import demo_factory
from c2m.engines.simulation import TwinError, load_factory
from c2m.kernel.tasks import cancel
from c2m.workers.mqtt import broker_connection
from c2m.workers.twin_bridge import TwinBridge


def register(app: typer.Typer) -> None:
    app.command("twin")(guarded(twin))


def twin(
    machines: Annotated[
        list[Path] | None,
        typer.Option(
            help="Factory file (.json or .yaml); repeat it for several plants in one process. "
            "Default: the demo plant."
        ),
    ] = None,
    speed: Annotated[float, typer.Option(min=0.01, help="Simulated seconds per second.")] = 60.0,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same plant behaviour).")] = 0,
    hours: Annotated[
        float | None, typer.Option(min=0.0, help="Stop after this many simulated hours.")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            help="Broker, mqtt://host:port or mqtts://host:port; default C2M_MQTT_URL or the "
            "embedded one (credentials and TLS files from C2M_MQTT_*)."
        ),
    ] = None,
) -> None:
    """Run simulated machines that speak the MQTT contract (births, telemetry, jobs on command)."""
    # Imported here, the only user: every other command (`c2m serve` too) runs without SimPy.
    from c2m.engines.simulation import Twin, make_environment

    specs = [demo_factory()]
    if machines:
        specs = []
        for path in machines:
            try:
                specs.append(load_factory(path))
            except (OSError, ValueError) as exc:  # TwinError and JSON errors are ValueErrors
                fail(f"Cannot read the factory {path}: {exc}")
    if len({spec.id for spec in specs}) < len(specs):
        fail("Two factory files name the same factory; give each plant its own id.")
    broker = broker_connection(configure(mqtt_url=url) if url else configure())
    try:
        socket.create_connection((broker.host, broker.port), timeout=3).close()
    except OSError:
        fail(
            f"No MQTT broker answers at {broker.host}:{broker.port}; start one or pass "
            "--url mqtt://host:port."
        )
    until = math.inf if hours is None else hours * 3600
    try:
        bridges = [
            TwinBridge(Twin(spec, seed=seed + n, env=make_environment(speed)), broker, until=until)
            for n, spec in enumerate(specs)
        ]
    except TwinError as exc:
        fail(str(exc))
    console = Console()
    names = ", ".join(f"[bold]{spec.id}[/bold]" for spec in specs)
    console.print(
        f"Twin of {names}: {sum(len(spec.machines) for spec in specs)} machines on {broker}, "
        f"{speed:g}x real time (Ctrl-C stops it)."
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(bridges, until, console))
    console.print(f"Twin stopped at {bridges[0].twin.now / 3600:.2f} simulated hours.")


async def _run(bridges: list[TwinBridge], until: float, console: Console) -> None:
    """Show simulated time as it passes; the machines say goodbye (death) when it ends."""
    bridge = bridges[0]  # the plants keep the same time: one clock is shown
    task = asyncio.gather(*(b.run() for b in bridges))
    columns = (
        SpinnerColumn(),
        TextColumn("simulated {task.fields[hours]:.2f} h"),
        BarColumn(),
        TimeElapsedColumn(),
    )
    total = None if math.isinf(until) else until
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            shown = progress.add_task("twin", total=total, hours=0.0)
            while not (all(b.finished.is_set() for b in bridges) or task.done()):
                now = bridge.twin.now
                progress.update(shown, completed=now, hours=now / 3600)
                await asyncio.sleep(0.25)
    finally:
        await cancel(task)
