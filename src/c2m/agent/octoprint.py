"""OctoPrint through its REST API, with an API key (``X-Api-Key``).

See https://docs.octoprint.org/en/master/api/: ``/api/version`` proves address and key,
``/api/printer`` gives the state flags and temperatures (409 while no printer is connected),
``/api/job`` the selected file and its progress, and ``POST /api/files/local`` with
``select`` and ``print`` uploads a file and starts it in one request.
"""

from __future__ import annotations

from typing import Any

import httpx

from c2m.agent.printer import PrinterError, Status
from c2m.domains.factory.vocabulary import MachineState

#: OctoPrint's flags of a print under way; ``paused`` is one too, reported as down.
BUSY = ("printing", "pausing", "paused", "resuming", "cancelling", "finishing")
#: Readings sent as telemetry, by OctoPrint's name for the heater.
HEATERS = {"tool0": "nozzle_c", "tool1": "nozzle2_c", "bed": "bed_c", "chamber": "chamber_c"}


class OctoPrint:
    """A printer behind OctoPrint at ``url``; ``timeout`` bounds each request (uploads too)."""

    suffixes: tuple[str, ...] = (".gcode", ".gco", ".g")

    def __init__(self, url: str, api_key: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.url, headers={"X-Api-Key": api_key}, timeout=timeout
        )

    async def version(self) -> str:
        body = await self._get("/api/version")
        return str(body.get("text") or f"OctoPrint {body.get('server', '')}".strip())

    async def status(self) -> Status:
        printer = await self._get("/api/printer", not_connected_ok=True)
        if printer is None:
            return Status(MachineState.DOWN, "no printer is connected to OctoPrint")
        job = await self._get("/api/job")
        flags: dict[str, Any] = printer.get("state", {}).get("flags", {})
        text = str(printer.get("state", {}).get("text", ""))
        busy = any(flags.get(flag) for flag in BUSY)
        if flags.get("error") or flags.get("closedOrError"):
            state, reason = MachineState.DOWN, printer["state"].get("error") or text
        elif flags.get("paused"):
            state, reason = MachineState.DOWN, "paused on the printer"
        elif busy:
            state, reason = MachineState.RUNNING, None
        else:
            state, reason = MachineState.IDLE, None
        readings = printer.get("temperature") or {}
        values = {
            name: float(readings[heater]["actual"])
            for heater, name in HEATERS.items()
            if isinstance((readings.get(heater) or {}).get("actual"), int | float)
        }
        completion = (job.get("progress") or {}).get("completion")
        return Status(
            state,
            reason,
            values,
            file=((job.get("job") or {}).get("file") or {}).get("name"),
            percent=float(completion) if isinstance(completion, int | float) else None,
            busy=busy,
        )

    async def print_file(self, name: str, data: bytes) -> str:
        files = {"file": (name, data, "application/octet-stream")}
        form = {"select": "true", "print": "true"}
        response = await self._send("POST", "/api/files/local", files=files, data=form)
        if response.status_code == 409:
            raise PrinterError(
                "OctoPrint cannot start a print now (the printer is busy or not connected)"
            )
        self._check(response)
        body = self._json(response)
        if not isinstance(body, dict):
            raise PrinterError("OctoPrint answered the upload with something other than an object")
        if body.get("effectivePrint") is False:
            raise PrinterError("OctoPrint stored the file but did not start printing it")
        stored = ((body.get("files") or {}).get("local") or {}).get("name")
        return stored if isinstance(stored, str) else name

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _get(self, path: str, *, not_connected_ok: bool = False) -> Any:
        response = await self._send("GET", path)
        if response.status_code == 409 and not_connected_ok:
            return None
        self._check(response)
        return self._json(response)

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise PrinterError(f"OctoPrint at {self.url} does not answer ({exc!r})") from None

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            path = response.request.url.path
            raise PrinterError(f"OctoPrint answered {path} with something not JSON") from None

    def _check(self, response: httpx.Response) -> None:
        if response.status_code in (401, 403):
            raise PrinterError(f"OctoPrint at {self.url} refused the API key")
        if response.is_error:
            detail = response.text.strip()[:200]
            raise PrinterError(
                f"OctoPrint answered {response.status_code} to {response.request.url.path}: "
                f"{detail}"
            )
