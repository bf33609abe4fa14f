"""The web tier as an ASGI application factory, for process managers that import the app.

``uvicorn --factory c2m.web.asgi:app --workers 4`` (or gunicorn with uvicorn workers) serves
pages, the API and live timelines as configured by ``C2M_*`` variables, one platform per
process; the factory tier runs apart (``c2m worker``).
"""

from __future__ import annotations

from fastapi import FastAPI

from c2m.bootstrap import build_platform, configure
from c2m.web.app import create_app


def app() -> FastAPI:
    return create_app(build_platform(configure(), tier="web"))
