"""What makes the site an installable app: the manifest, the service worker (served from the
root so its scope is every page) and the offline page it keeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).parent.parent / "static"

THEME_COLOUR = "#1b1f24"
MANIFEST: dict[str, Any] = {
    "name": "c2m — your order, made",
    "short_name": "c2m",
    "description": "Design, order and watch your product being made, step by step.",
    "start_url": "/orders",
    "scope": "/",
    "display": "standalone",
    "background_color": "#f6f7f9",
    "theme_color": THEME_COLOUR,
    "icons": [
        {"src": "/static/icons/icon.svg", "sizes": "any", "type": "image/svg+xml"},
        {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
    ],
}


@router.get("/manifest.webmanifest")
def manifest() -> JSONResponse:
    return JSONResponse(MANIFEST, media_type="application/manifest+json")


@router.get("/sw.js")
def service_worker() -> FileResponse:
    """Never cached by HTTP: a changed worker must reach phones at their next visit."""
    return FileResponse(
        STATIC / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/offline")
def offline() -> FileResponse:
    return FileResponse(STATIC / "offline.html", media_type="text/html")
