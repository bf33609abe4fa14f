"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from c2m import __version__
from c2m.bootstrap import Platform
from c2m.web import error_pages, moved_paths, problems
from c2m.web.admin import mount_admin
from c2m.web.limits import BodyLimit
from c2m.web.rate_limits import RateLimits
from c2m.web.request_id import RequestId
from c2m.web.routers import (
    api_accounts,
    api_catalog,
    api_circles,
    api_enterprises,
    api_factories,
    api_feedback,
    api_maker_offers,
    api_makers,
    api_orders,
    api_payments,
    api_push,
    api_quotes,
    api_scorecard,
    api_service_clients,
    api_statements,
    api_stock,
    api_templates,
    api_webhooks,
    machine_files,
    ops,
    pages,
    pages_app,
    pages_circles,
    pages_configure,
    pages_enterprise,
    pages_floor,
    pages_mail,
    pages_makers,
    pages_quote,
    pages_scorecard,
    pages_statement,
    pages_stock,
    pages_team,
    passports,
    problem_types,
)
from c2m.web.routers.pages_app import STATIC
from c2m.web.webhook_catalogue import describe_webhooks


def operation_id(route: APIRoute) -> str:
    """An operation is named after its endpoint (``pay_order``), not after its path and method:
    client generators turn the id into a method name."""
    return route.name


def create_app(platform: Platform, *, run_background: bool = True) -> FastAPI:
    """Build the web app around ``platform``; background loops run while the app is served."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if run_background:
            platform.start()
        try:
            yield
        finally:
            if run_background:
                platform.shutdown()

    app = FastAPIOffline(  # Swagger UI and ReDoc from the installed package, no CDN
        title="c2m",
        version=__version__,
        summary="Open customer-to-manufacturer platform",
        description="Design, order and follow your product. Errors are application/problem+json "
        "with a stable `code` (the catalogue is at /problems).",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.platform = platform
    app.state.health, app.state.metrics = platform.health, platform.metrics
    app.state.rate_limits = RateLimits(platform.settings)
    problems.install(app, error_pages.negotiated)
    uploads = api_quotes.limits_of(platform).max_body
    app.add_middleware(
        BodyLimit,
        max_bytes=platform.settings.max_body_bytes,
        larger={"/api/v1/uploads": uploads},
        grace_s=platform.settings.body_grace_seconds,
        min_rate=platform.settings.body_min_bytes_per_second,
    )
    app.add_middleware(RequestId)  # outermost: even a refused body's answer carries the id
    for module in (
        api_accounts,
        api_catalog,
        api_enterprises,
        api_factories,
        api_feedback,
        api_circles,
        api_maker_offers,
        api_makers,
        api_orders,
        api_payments,
        api_push,
        api_quotes,
        api_scorecard,
        api_service_clients,
        api_statements,
        api_stock,
        api_templates,
        api_webhooks,
        machine_files,
        ops,
        pages,
        pages_app,
        pages_circles,
        pages_configure,
        pages_enterprise,
        pages_floor,
        pages_mail,
        pages_makers,
        pages_quote,
        pages_scorecard,
        pages_statement,
        pages_stock,
        pages_team,
        passports,
        problem_types,
    ):
        app.include_router(module.router)
    moved_paths.install(app)
    describe_webhooks(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    mount_admin(app, platform)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        platform.db.ping()
        return {"status": "ok"}

    return app
