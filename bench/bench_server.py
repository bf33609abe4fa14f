"""The c2m app as ``c2m serve`` runs it, plus one benchmark-only route, in its own process.

``POST /bench/floor`` is the floor of the stack: the same app, middleware, thread pool, database
engine and write unit of work, inserting one row into a small table of its own, with no auth, no
validation, no idempotency and no outbox. It is mounted here only, never in the product API.

    python -m bench.bench_server --port 8123     (C2M_* variables configure the platform)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import Column, Integer, MetaData, String, Table, insert

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLOOR = Table(
    "bench_floor",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("note", String(40), nullable=False),
)


def bench_app() -> FastAPI:
    """``create_app`` around a platform built from the environment, plus the floor route."""
    from c2m.bootstrap import build_platform
    from c2m.settings import Settings
    from c2m.web.app import create_app

    platform = build_platform(Settings())
    FLOOR.create(platform.db.engine, checkfirst=True)
    app = create_app(platform)

    @app.post("/bench/floor", status_code=201, include_in_schema=False)
    def floor() -> JSONResponse:
        with platform.db.write() as session:
            row_id = session.execute(insert(FLOOR).values(note="floor")).inserted_primary_key
        return JSONResponse({"id": row_id[0] if row_id else None}, status_code=201)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve c2m plus the benchmark floor route.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    import uvicorn

    uvicorn.run(
        bench_app(),
        host=args.host,
        port=args.port,
        log_level="warning",
        timeout_graceful_shutdown=3,
        backlog=4096,
    )


if __name__ == "__main__":
    main()
