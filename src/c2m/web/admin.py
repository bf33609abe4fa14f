"""The back office under ``/admin``, built at its first request: sqladmin and its views cost every
web process about 0.3 s and tens of MB at start, for pages only the platform owner opens."""

from __future__ import annotations

import asyncio
import threading

from fastapi import FastAPI
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from c2m.bootstrap import Platform

BASE_URL = "/admin"


class LazyBackOffice:
    """An ASGI app that builds the back office once, on the first request that reaches it."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._app: ASGIApp | None = None
        self._building = threading.Lock()

    @property
    def routes(self) -> list[BaseRoute]:
        """The back office's routes once built, so ``url_for("admin:…")`` finds them."""
        return list(getattr(self._app, "routes", []))

    def _build(self) -> ASGIApp:
        with self._building:
            if self._app is None:
                from c2m.web.back_office import build_back_office

                self._app = build_back_office(self.platform, BASE_URL)
            return self._app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self._app
        if app is None:
            app = await asyncio.to_thread(self._build)
        await app(scope, receive, send)


def mount_admin(app: FastAPI, platform: Platform) -> None:
    app.mount(BASE_URL, app=LazyBackOffice(platform), name="admin")
