"""The exact ``c2m agent`` command a maker runs beside a new printer (docs/makers.md), filled in
with its login and this platform's addresses, so nothing has to be looked up or retyped."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit

from c2m.settings import Settings

OCTOPRINT_KEY_HINT = "your OctoPrint API key"


@dataclass(frozen=True, slots=True)
class AgentCommand:
    factory: str
    machine: str
    broker: str
    platform: str

    def lines(self, secret: str) -> list[str]:
        """The shell lines: the secrets in the environment, then the agent (as the docs say)."""
        return [
            f"export C2M_AGENT_SECRET={shlex.quote(secret)}",
            f"export C2M_AGENT_API_KEY={shlex.quote(OCTOPRINT_KEY_HINT)}",
            " ".join(
                [
                    "uv run c2m agent",
                    f"--factory {shlex.quote(self.factory)}",
                    f"--machine {shlex.quote(self.machine)}",
                    f"--url {shlex.quote(self.broker)}",
                    f"--platform {shlex.quote(self.platform)}",
                    "--printer-url http://127.0.0.1:5000",
                ]
            ),
        ]


def broker_for_agents(settings: Settings) -> str:
    """Where agents reach the broker: the configured one (without any user name in it) or the
    embedded one the demo starts."""
    if not settings.mqtt_url:
        return f"mqtt://127.0.0.1:{settings.mqtt_port}"
    parts = urlsplit(settings.mqtt_url)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


def agent_command(settings: Settings, username: str) -> AgentCommand:
    """For the machine whose login is ``<workshop code>/<machine code>``."""
    factory, _, machine = username.partition("/")
    base = settings.base_url.rstrip("/")
    return AgentCommand(factory, machine, broker_for_agents(settings), base)
