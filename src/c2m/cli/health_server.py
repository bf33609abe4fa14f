"""A worker's ``/livez``, ``/readyz`` and ``/metrics`` on a port of its own, in a thread.

Started before the worker waits for its database or broker, so an orchestrator asking why it is
not ready gets the answer while it waits. The socket is bound here, in the calling thread, so a
port that is taken is known at once (and said in one sentence) instead of inside uvicorn.
"""

from __future__ import annotations

import contextlib
import socket
import threading

import uvicorn

from c2m.kernel.health import Health
from c2m.kernel.metrics import Metrics
from c2m.web.routers.ops import ops_app


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; ``OSError`` if it cannot be had."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


class HealthServer:
    def __init__(self, sock: socket.socket, health: Health, metrics: Metrics, level: str) -> None:
        self.sock = sock
        config = uvicorn.Config(
            ops_app(health, metrics),
            log_config=None,  # through kernel.logs, like the web tier
            log_level=level.lower(),
            access_log=False,  # a probe every few seconds is not news
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, name="health", daemon=True
        )

    @property
    def address(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        with contextlib.suppress(OSError):
            self.sock.close()
