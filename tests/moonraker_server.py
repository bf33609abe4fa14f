"""A recorded Moonraker for the agent's tests: the real one needs Klipper and a printer's board
and is not on PyPI, so its side of the exchange is played back here, on one port as Moonraker
serves it (the websocket at ``/websocket``, the upload at ``/server/files/upload``).

The payloads are copied from Moonraker's API documentation (github.com/Arksine/moonraker at
d5ee171, docs/): ``server.info`` from external_api/server.md "Query Server Info",
``printer.info`` from external_api/printer.md "Get Klippy host information", the objects from
printer_objects.md (``print_stats``, ``virtual_sdcard``, ``extruder``, ``heater_bed``), the
upload's answer from external_api/file_manager.md "File upload" and the notification from
external_api/jsonrpc_notifications.md "Process statistics". Where the documents are silent the
behaviour is the source's: a websocket that fails authentication still opens and each request
is answered with error -32602 "Unauthorized" (moonraker/common.py, components/websockets.py);
the upload answers 201 with its object unwrapped (components/application.py).

The test plays Klipper through ``Klipper``: its state and message, and how far each look at a
running print moves it on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.conftest import free_port

MOONRAKER_VERSION = "v0.7.1-105-ge4f103c"
GCODES = "/home/pi/printer_data/gcodes"
KLIPPER_VERSION = "v0.12.0-85-gd785b396"
#: Klipper's words after an MCU shutdown (klippy/mcu.py's error, then message_shutdown).
TIMER_TOO_CLOSE = """MCU 'mcu' shutdown: Timer too close
This often indicates the host computer is overloaded. Check
for other processes consuming excessive CPU time, high swap
usage, disk errors, overheating, unstable voltage, or
similar system problems on the host computer.
Once the underlying issue is corrected, use the
"FIRMWARE_RESTART" command to reset the firmware, reload the
config, and restart the host software.
Printer is shutdown
"""
#: Sent before every answer, as Moonraker sends it every second to every websocket.
PROC_STATS = {
    "jsonrpc": "2.0",
    "method": "notify_proc_stat_update",
    "params": [
        {
            "moonraker_stats": {
                "time": 1615837812.0894408,
                "cpu_usage": 1.99,
                "memory": 23636,
                "mem_units": "kB",
            },
            "cpu_temp": 44.008,
            "network": {"lo": {"rx_bytes": 114555457, "tx_bytes": 114555457, "bandwidth": 2911.49}},
            "system_cpu_usage": {"cpu": 2.53, "cpu0": 3.03},
            "websocket_connections": 2,
        }
    ],
}


def error(code: int, message: str) -> dict[str, Any]:
    """Moonraker's error, in a JSON-RPC answer and in an HTTP answer's body alike."""
    return {"error": {"code": code, "message": message}}


@dataclass
class Klipper:
    """What the printer is, set by the test; ``state`` is Klippy's (``ready``, ``startup``,
    ``shutdown``, ``error``, or ``disconnected`` from Moonraker), ``job`` is ``print_stats``'."""

    state: str = "ready"
    message: str = "Printer is ready"
    job: str = "standby"
    filename: str = ""
    job_message: str = ""
    progress: float = 0.0
    step: float = 0.25
    """How much of a running print each look at ``virtual_sdcard`` finds done; 0 holds it."""

    def objects(self) -> dict[str, dict[str, Any]]:
        if self.job == "printing":
            self.progress = min(1.0, self.progress + self.step)
            if self.progress >= 1.0:
                self.job = "complete"
        return {
            "print_stats": {
                "filename": self.filename,
                "total_duration": 0.0,
                "print_duration": 0.0,
                "filament_used": 0.0,
                "state": self.job,
                "message": self.job_message,
                "info": {"total_layer": None, "current_layer": None},
            },
            "virtual_sdcard": {
                "file_path": f"/home/pi/printer_data/gcodes/{self.filename}"
                if self.filename
                else None,
                "progress": self.progress,
                "is_active": self.job == "printing",
                "file_position": 0,
                "file_size": 0,
            },
            "extruder": {
                "temperature": 210.3 if self.job == "printing" else 24.1,
                "target": 0,
                "power": 0,
                "can_extrude": True,
                "pressure_advance": 0,
                "smooth_time": 0.04,
                "motion_queue": None,
            },
            "heater_bed": {"temperature": 60.1, "target": 0.0, "power": 0.0},
        }


@dataclass
class FakeMoonraker:
    url: str
    api_key: str | None
    klipper: Klipper = field(default_factory=Klipper)
    uploads: dict[str, bytes] = field(default_factory=dict)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    silent: bool = False
    """Moonraker hanging: requests are read and never answered (notifications still go out)."""

    def authorized(self, request: web.Request) -> bool:
        """No key configured: this host is a trusted client. Otherwise ``X-Api-Key`` must be it."""
        return self.api_key is None or request.headers.get("X-Api-Key") == self.api_key

    async def restart(self) -> None:
        """Moonraker restarting: every websocket is closed."""
        for socket in list(self.sockets):
            await socket.close()

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        trusted = self.authorized(request)
        self.sockets.append(socket)
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    continue
                call = json.loads(message.data)
                await socket.send_json(PROC_STATS)
                if self.silent:
                    continue
                if not trusted:
                    answer = error(-32602, "Unauthorized")
                else:
                    answer = self.answer(call["method"], call.get("params") or {})
                await socket.send_json({"jsonrpc": "2.0", **answer, "id": call["id"]})
        finally:
            self.sockets.remove(socket)
        return socket

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        klipper = self.klipper
        if method == "server.info":
            return {
                "result": {
                    "klippy_connected": klipper.state != "disconnected",
                    "klippy_state": klipper.state,
                    "components": ["database", "file_manager", "klippy_apis", "machine"],
                    "failed_components": [],
                    "registered_directories": ["config", "gcodes", "config_examples", "docs"],
                    "warnings": [],
                    "websocket_count": len(self.sockets),
                    "moonraker_version": MOONRAKER_VERSION,
                    "api_version": [1, 4, 0],
                    "api_version_string": "1.4.0",
                }
            }
        if klipper.state == "disconnected":
            return error(503, "Klippy Disconnected")
        if method == "printer.info":
            return {
                "result": {
                    "state": klipper.state,
                    "state_message": klipper.message,
                    "hostname": "pi-debugger",
                    "klipper_path": "/home/pi/klipper",
                    "python_path": "/home/pi/klipper/venv/bin/python",
                    "log_file": "/home/pi/printer_data/logs/klippy.log",
                    "config_file": "/home/pi/printer_data/config/printer.cfg",
                    "software_version": KLIPPER_VERSION,
                    "cpu_info": "4 core ?",
                }
            }
        if method == "printer.objects.query":
            everything = klipper.objects()
            asked = params["objects"]
            status = {name: everything[name] for name in asked if name in everything}
            return {"result": {"eventtime": 578243.57824499, "status": status}}
        return error(-32601, f"Method not found: {method}")

    async def upload(self, request: web.Request) -> web.Response:
        if not self.authorized(request):
            return web.json_response(
                {"error": {"code": 401, "message": "Unauthorized"}}, status=401
            )
        form = await request.post()
        sent = form["file"]
        assert isinstance(sent, web.FileField)
        data = sent.file.read()
        if form.get("checksum") not in (None, hashlib.sha256(data).hexdigest()):
            return web.json_response(error(422, "File checksum mismatch"), status=422)
        name = sent.filename
        self.uploads[name] = data
        klipper = self.klipper
        start = form.get("print") == "true" and klipper.state == "ready"
        started = start and klipper.job not in ("printing", "paused")
        if started:
            klipper.job, klipper.filename, klipper.progress = "printing", name, 0.0
        item = {"path": name, "root": "gcodes", "modified": 1676984527.6, "size": len(data)}
        return web.json_response(
            {
                "item": {**item, "permissions": "rw"},
                "print_started": started,
                "print_queued": False,
                "action": "create_file",
            },
            status=201,
        )


@asynccontextmanager
async def fake_moonraker(api_key: str | None = None) -> AsyncIterator[FakeMoonraker]:
    """A Moonraker on a free port of 127.0.0.1 for the block's length, in the running loop."""
    port = free_port()
    fake = FakeMoonraker(f"http://127.0.0.1:{port}", api_key)
    app = web.Application()
    app.router.add_get("/websocket", fake.websocket)
    app.router.add_post("/server/files/upload", fake.upload)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield fake
    finally:
        await fake.restart()
        await runner.cleanup()
