"""``c2m agent``: connects one real printer to the platform (docs/makers.md)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from c2m.agent.slicer import ADVICE, TIMEOUT_S
from c2m.bootstrap import configure
from c2m.cli.errors import fail, guarded
from c2m.domains.factory.vocabulary import CAPABILITIES, ContractError, check_topic_id
from c2m.workers.mqtt import broker_connection

if TYPE_CHECKING:
    from c2m.agent.machine import Agent
    from c2m.agent.printer import Printer


class PrinterKind(StrEnum):
    OCTOPRINT = "octoprint"
    MOONRAKER = "moonraker"


#: Where each server listens when it runs on the agent's host.
LOCAL_URLS = {
    PrinterKind.OCTOPRINT: "http://127.0.0.1:5000",
    PrinterKind.MOONRAKER: "http://127.0.0.1:7125",
}


def register(app: typer.Typer) -> None:
    app.command("agent")(guarded(agent))


def agent(
    factory: Annotated[
        str, typer.Option(envvar="C2M_AGENT_FACTORY", help="Your factory's code on the platform.")
    ],
    machine: Annotated[
        str, typer.Option(envvar="C2M_AGENT_MACHINE", help="The printer's machine code.")
    ],
    secret: Annotated[
        str,
        typer.Option(
            envvar="C2M_AGENT_SECRET",
            help="The machine's secret (`c2m machine secret` or the API): its broker password "
            "and its login for job files.",
        ),
    ],
    platform: Annotated[
        str,
        typer.Option(
            envvar="C2M_AGENT_PLATFORM_URL",
            help="The platform's address, e.g. https://c2m.example; job files are fetched "
            "(with the secret) from under it only.",
        ),
    ],
    api_key: Annotated[
        str | None,
        typer.Option(
            envvar="C2M_AGENT_API_KEY",
            help="The printer server's API key: OctoPrint's, or Moonraker's unless this host is "
            "one of its trusted clients.",
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            help="The platform's broker, mqtts://host:8883 (or mqtt://); default C2M_MQTT_URL.",
        ),
    ] = None,
    ca_file: Annotated[
        Path | None,
        typer.Option(help="PEM of the authority that signed the broker's certificate (mqtts)."),
    ] = None,
    printer: Annotated[PrinterKind, typer.Option(help="The printer's server.")] = (
        PrinterKind.OCTOPRINT
    ),
    printer_url: Annotated[
        str | None,
        typer.Option(
            envvar="C2M_AGENT_PRINTER_URL",
            help="The printer server's address; default on this host, port 5000 for OctoPrint, "
            "7125 for Moonraker.",
        ),
    ] = None,
    capability: Annotated[
        list[str] | None,
        typer.Option(help="What the printer can do (repeat it); default fdm-print."),
    ] = None,
    journal: Annotated[
        Path | None,
        typer.Option(
            help="Where the attempts it accepted are kept, so none runs twice across restarts; "
            "default ~/.c2m/agent-FACTORY-MACHINE.json."
        ),
    ] = None,
    poll_seconds: Annotated[
        float, typer.Option(min=0.1, help="How often a running print is looked at.")
    ] = 2.0,
    telemetry_seconds: Annotated[
        float, typer.Option(min=0.5, help="How often temperatures and state are sent.")
    ] = 10.0,
    slicer: Annotated[
        str | None,
        typer.Option(
            envvar="C2M_AGENT_SLICER",
            help="The slicer that turns mesh jobs (.stl, .3mf, .obj) into G-code, PrusaSlicer's "
            "command line; default prusa-slicer if it is on PATH.",
        ),
    ] = None,
    slicer_profile: Annotated[
        Path | None,
        typer.Option(
            envvar="C2M_AGENT_SLICER_PROFILE",
            help="Your printer and filament profile, exported from PrusaSlicer as an .ini "
            "(File > Export > Export Config); default the slicer's own settings.",
        ),
    ] = None,
    slicer_seconds: Annotated[
        float,
        typer.Option(envvar="C2M_AGENT_SLICER_SECONDS", min=1, help="Longest a slice may take."),
    ] = TIMEOUT_S,
) -> None:
    """Connect one printer to the platform as FACTORY/MACHINE, outbound only: it takes jobs,
    checks their files, prints them and reports back until Ctrl-C."""
    # Imported here, the only user: every other command starts without the agent and httpx.
    from c2m.agent.journal import Journal
    from c2m.agent.machine import Agent, Identity
    from c2m.agent.slicer import Slicer

    try:
        check_topic_id("factory", factory)
        check_topic_id("machine", machine)
    except ContractError as exc:
        fail(f"{exc}.")
    capabilities = tuple(capability or ("fdm-print",))
    if unknown := sorted(set(capabilities) - CAPABILITIES):
        fail(f"Unknown capability {unknown[0]!r}; choose from {', '.join(sorted(CAPABILITIES))}.")
    printer_url = printer_url or LOCAL_URLS[printer]
    for name, address in (("--platform", platform), ("--printer-url", printer_url)):
        if not address.startswith(("http://", "https://")):
            fail(f"{name} {address!r} is not an address; write it as http://host or https://host.")
    if slicer_profile is not None and not slicer_profile.is_file():
        fail(
            f"--slicer-profile {slicer_profile} is not a file; export yours from PrusaSlicer "
            "(File > Export > Export Config)."
        )
    executable = slicer or shutil.which("prusa-slicer")
    if slicer_profile is not None and executable is None:
        fail("--slicer-profile needs a slicer: install PrusaSlicer or pass --slicer.")
    overrides: dict[str, object] = {
        "mqtt_username": f"{factory}/{machine}",
        "mqtt_password": secret,
    }
    if url:
        overrides["mqtt_url"] = url
    if ca_file:
        overrides["mqtt_ca_file"] = ca_file
    settings = configure(**overrides)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per look at the printer
    if not settings.mqtt_url:
        fail("Name the platform's broker with --url mqtts://host:8883 (or C2M_MQTT_URL).")
    broker = broker_connection(settings)
    identity = Identity(factory, machine, secret, platform, capabilities)
    path = journal or Path.home() / ".c2m" / f"agent-{factory}-{machine}.json"
    device = _printer(printer, printer_url, api_key)
    runner = Agent(
        broker,
        identity,
        device,
        journal=Journal(path),
        slicer=None if executable is None else Slicer(executable, slicer_profile, slicer_seconds),
        poll_s=poll_seconds,
        telemetry_s=telemetry_seconds,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(runner, Console()))


def _slicing(runner: Agent) -> str:
    """What becomes of mesh jobs, said once at start so a maker sees it before the first job."""
    slicer = runner.slicer
    if slicer is None:
        return f"Mesh jobs are refused: no slicer ({ADVICE})."
    if shutil.which(slicer.executable) is None:
        return f"Mesh jobs are refused: no slicer at {slicer.executable} ({ADVICE})."
    profile = slicer.profile or "the slicer's own settings"
    return f"Mesh jobs are sliced with {slicer.executable} ({profile})."


def _printer(kind: PrinterKind, url: str, api_key: str | None) -> Printer:
    from c2m.agent.moonraker import Moonraker
    from c2m.agent.octoprint import OctoPrint

    if kind is PrinterKind.MOONRAKER:
        return Moonraker(url, api_key)
    if not api_key:
        fail("OctoPrint needs its API key: --api-key or C2M_AGENT_API_KEY.")
    return OctoPrint(url, api_key)


async def _run(runner: Agent, console: Console) -> None:
    """Check the printer first (a wrong address or key is one sentence), then run until Ctrl-C
    or SIGTERM, saying goodbye (death) on the way out."""
    from c2m.agent.printer import PrinterError

    try:
        version = await runner.printer.version()
    except PrinterError as exc:
        await runner.printer.aclose()
        fail(f"{exc}.")
    who = runner.identity.username
    console.print(f"[bold]{who}[/bold]: {version} on {runner.broker} (Ctrl-C stops it).")
    console.print(_slicing(runner))
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        await runner.run()
    except asyncio.CancelledError:
        console.print(f"{who} stopped.")
    finally:
        await runner.printer.aclose()
