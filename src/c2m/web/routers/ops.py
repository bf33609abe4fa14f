"""What operators and orchestrators ask a process: alive, ready (and if not, why), metrics.

Served by every web process and, on a port of its own, by every worker (``ops_app``). The
health checks and metrics are the app's ``state.health`` and ``state.metrics``.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from c2m.kernel.health import Health
from c2m.kernel.metrics import CONTENT_TYPE, Metrics
from c2m.kernel.problem_types import ProblemCode
from c2m.web.problems import problem_response

router = APIRouter(include_in_schema=False)


@router.get("/livez")
def livez() -> dict[str, str]:
    """The process runs and answers; nothing else is asked (a restart would not help)."""
    return {"status": "alive"}


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """200 with every check when all pass; 503 problem+json with a sentence per failing one."""
    health: Health = request.app.state.health
    verdicts = health.check()
    failing = [verdict for verdict in verdicts if not verdict.ok]
    if not failing:
        return JSONResponse({"status": "ready", "checks": {v.name: "ok" for v in verdicts}})
    sentences = " ".join(_sentence(verdict.problem or "") for verdict in failing)
    return problem_response(
        ProblemCode.NOT_READY,
        sentences,
        request,
        errors=[{"check": v.name, "detail": v.problem} for v in failing],
    )


@router.get("/metrics")
def metrics(request: Request) -> Response:
    registry: Metrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=CONTENT_TYPE)


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def ops_app(health: Health, metrics: Metrics) -> FastAPI:
    """Only these three routes, for a process that serves nothing else (``c2m worker``)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.health, app.state.metrics = health, metrics
    app.include_router(router)
    return app
