"""Klipper through Moonraker: JSON-RPC 2.0 on its websocket, HTTP for the upload.

From Moonraker's API documentation (github.com/Arksine/moonraker, docs/external_api/):
``server.info`` says whether Klippy is ``ready`` and ``printer.info`` gives Klipper's version and,
in ``shutdown`` or ``error``, its message (introduction.md, "Websocket setup");
``printer.objects.query`` of ``print_stats``, ``virtual_sdcard``, ``extruder`` and ``heater_bed``
gives the job, its progress and the temperatures. The agent asks on each look rather than
subscribing (introduction.md, "Basic Print Status"): each answer is whole, so nothing is merged
and nothing is lost when Klippy restarts. Files go up over HTTP only: ``POST
/server/files/upload`` with ``print=true`` stores one and starts it (file_manager.md).

An API key travels in ``X-Api-Key``, on the websocket's opening request and on the upload.
Without one Moonraker serves the hosts of its ``trusted_clients`` (a printer on your LAN); a
oneshot token is only for browsers, which cannot set that header.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from c2m.agent.printer import PrinterError, Status
from c2m.domains.factory.vocabulary import MachineState

#: Readings sent as telemetry, by Klipper's name for the heater.
HEATERS = {"extruder": "nozzle_c", "extruder1": "nozzle2_c", "heater_bed": "bed_c"}
#: What one look at the printer asks for (objects a printer lacks are left out of the answer).
OBJECTS = {"print_stats": None, "virtual_sdcard": None} | dict.fromkeys(HEATERS)


LOST: dict[str, Any] = {}
"""The answer, by identity, to a request whose connection ended before its answer came."""


class ConnectionLost(PrinterError):
    """The websocket ended under a request."""


class Moonraker:
    """A Klipper printer behind Moonraker at ``url`` (``http://host:7125``); ``api_key`` is
    needed unless this host is one of its trusted clients; ``timeout`` bounds each request."""

    suffixes: tuple[str, ...] = (".gcode", ".g", ".gco")

    def __init__(self, url: str, api_key: str | None = None, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        headers = {"X-Api-Key": api_key} if api_key else {}
        self._http = httpx.AsyncClient(base_url=self.url, headers=headers, timeout=timeout)
        self._socket: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._opening = asyncio.Lock()
        self._ids = itertools.count(1)
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}

    async def version(self) -> str:
        server = await self._call("server.info")
        names = [f"Moonraker {server.get('moonraker_version', '')}".strip()]
        if server.get("klippy_connected"):
            klipper = await self._call("printer.info")
            names.append(f"Klipper {klipper.get('software_version', '')}".strip())
        return ", ".join(names)

    async def status(self) -> Status:
        server = await self._call("server.info")
        if server.get("klippy_state") != "ready":
            return Status(MachineState.DOWN, await self._klipper_trouble(server))
        found = (await self._call("printer.objects.query", {"objects": OBJECTS})).get("status")
        objects: dict[str, Any] = found if isinstance(found, dict) else {}
        stats: dict[str, Any] = objects.get("print_stats") or {}
        job = stats.get("state")
        message = str(stats.get("message") or "")
        if job == "paused":
            state, reason = MachineState.DOWN, "paused on the printer"
        elif job == "printing":
            state, reason = MachineState.RUNNING, None
        elif job == "error":  # the print ended; Klipper itself is ready for the next one
            state, reason = MachineState.IDLE, f"Klipper reports: {first_line(message)}"
        elif job == "cancelled":
            state, reason = MachineState.IDLE, "the print was cancelled on the printer"
        else:
            state, reason = MachineState.IDLE, None
        progress = (objects.get("virtual_sdcard") or {}).get("progress")
        percent = float(progress) * 100 if isinstance(progress, int | float) else None
        return Status(
            state,
            reason,
            temperatures(objects),
            file=stats.get("filename") or None,
            percent=100.0 if job == "complete" else percent,
            busy=job in ("printing", "paused"),
        )

    async def print_file(self, name: str, data: bytes) -> str:
        files = {"file": (name, data, "application/octet-stream")}
        form = {"root": "gcodes", "print": "true", "checksum": hashlib.sha256(data).hexdigest()}
        try:
            response = await self._http.post("/server/files/upload", files=files, data=form)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        if response.status_code in (401, 403):
            raise self._refused()
        body = self._body(response)
        if response.is_error:
            error = (body.get("error") or {}).get("message") or response.reason_phrase
            raise PrinterError(f"Moonraker refused the upload ({response.status_code}): {error}")
        if body.get("print_queued"):  # it would print later, when the platform has moved on
            raise PrinterError(
                "Klipper did not start the file and Moonraker queued it: remove it from "
                "Moonraker's job queue"
            )
        if not body.get("print_started"):
            raise PrinterError("Moonraker stored the file but Klipper did not start it")
        stored = (body.get("item") or {}).get("path")
        return stored if isinstance(stored, str) else name

    async def aclose(self) -> None:
        await self._hang_up()
        await self._http.aclose()

    async def _klipper_trouble(self, server: dict[str, Any]) -> str:
        """Why Klipper is not ready, in its own words when it can say them."""
        if not server.get("klippy_connected"):
            return "Moonraker is not connected to Klipper (is the klipper service running?)"
        info = await self._call("printer.info")
        message = first_line(str(info.get("state_message") or "")) or str(info.get("state"))
        return f"Klipper reports: {message}"

    # -- JSON-RPC on the websocket --------------------------------------------------------------

    async def _call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``result`` of one request; the notifications Moonraker pushes meanwhile (process
        statistics every second, G-code responses) are read and dropped by ``_read``."""
        request: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            request["params"] = params
        try:
            reply = await self._ask(request)
        except ConnectionLost:  # Moonraker restarted, say: the agent only reads, so ask again
            reply = await self._ask(request)
        if error := reply.get("error"):
            text = str(error.get("message", error)) if isinstance(error, dict) else str(error)
            if text.startswith("Unauthorized"):
                raise self._refused()
            raise PrinterError(f"Moonraker answered {method} with an error: {first_line(text)}")
        result = reply.get("result")
        if not isinstance(result, dict):
            raise PrinterError(f"Moonraker answered {method} with something other than an object")
        return result

    async def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        socket = await self._open()
        ident = next(self._ids)
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._answers[ident] = answer
        try:
            await socket.send(json.dumps({**request, "id": ident}))
            async with asyncio.timeout(self.timeout):
                reply = await answer
        except ConnectionClosed:
            reply = LOST
        except TimeoutError:
            await self._hang_up(socket)  # the next request opens a new connection
            method = request["method"]
            raise PrinterError(f"Moonraker at {self.url} stopped answering ({method})") from None
        finally:
            self._answers.pop(ident, None)
        if reply is LOST:
            await self._hang_up(socket)
            raise ConnectionLost(f"Moonraker at {self.url} closed the connection")
        return reply

    async def _open(self) -> ClientConnection:
        async with self._opening:
            if self._socket is None:
                self._socket = await self._connect()
                self._reader = asyncio.create_task(self._read(self._socket))
            return self._socket

    async def _connect(self) -> ClientConnection:
        address = "ws" + self.url.removeprefix("http") + "/websocket"  # wss for https
        headers = {"X-Api-Key": self.api_key} if self.api_key else {}
        try:
            return await connect(address, additional_headers=headers, open_timeout=self.timeout)
        except InvalidStatus as exc:
            if exc.response.status_code in (401, 403):
                raise self._refused() from None
            raise PrinterError(
                f"{self.url} answered {exc.response.status_code} on /websocket: "
                "is it Moonraker's address?"
            ) from None
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise self._unreachable(exc) from None

    async def _read(self, socket: ClientConnection) -> None:
        """Hands each answer to the request with its id, until the connection ends."""
        try:
            with contextlib.suppress(ConnectionClosed):
                async for message in socket:
                    with contextlib.suppress(ValueError):
                        reply = json.loads(message)
                        ident = reply.get("id") if isinstance(reply, dict) else None
                        answer = self._answers.get(ident) if isinstance(ident, int) else None
                        if answer is not None and not answer.done():
                            answer.set_result(reply)
        finally:  # whoever still waits hears it now, not after its timeout
            for answer in self._answers.values():
                if not answer.done():
                    answer.set_result(LOST)
            if self._socket is socket:
                self._socket = None

    async def _hang_up(self, used: ClientConnection | None = None) -> None:
        """Closes the connection; with ``used``, only if it is still that one (another request
        may have opened a new one meanwhile)."""
        if used is not None and used is not self._socket:
            return
        socket, reader, self._socket, self._reader = self._socket, self._reader, None, None
        if socket is not None:
            await socket.close()
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    def _unreachable(self, exc: Exception) -> PrinterError:
        return PrinterError(f"Moonraker at {self.url} does not answer ({exc!r})")

    def _refused(self) -> PrinterError:
        if self.api_key:
            return PrinterError(f"Moonraker at {self.url} refused the API key")
        return PrinterError(
            f"Moonraker at {self.url} wants an API key (or this host under trusted_clients)"
        )

    @staticmethod
    def _body(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            path = response.request.url.path
            raise PrinterError(f"Moonraker answered {path} with something other than an object")
        return body


def temperatures(objects: dict[str, Any]) -> dict[str, float]:
    """The heaters' readings under their telemetry names; a heater the printer lacks is left out."""
    values = {}
    for heater, name in HEATERS.items():
        reading = (objects.get(heater) or {}).get("temperature")
        if isinstance(reading, int | float):
            values[name] = float(reading)
    return values


def first_line(text: str) -> str:
    """Klipper's messages run over lines of advice; the first says what happened."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
