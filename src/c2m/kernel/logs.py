"""Logging, set up in one place for every entry point (demo, serve, twin, worker loops).

Human lines (time, level, logger, message) by default, or one JSON object per line for log
collectors. uvicorn's loggers, its access log included, go through the same handler, and every
record carries the id of the HTTP request it was written for, if any (see ``web/request_id``).
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal, TextIO

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
"""The id of the HTTP request being served in this context; empty outside requests."""

HUMAN = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
QUIET = {"amqtt": logging.WARNING, "transitions": logging.WARNING, "alembic": logging.WARNING}
"""The embedded broker (and the state machine library under it) log every packet at INFO, and
Alembic its plugins at every start; what they say at WARNING still shows."""


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to each record, so any handler's formatter may show it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class HumanFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(HUMAN)

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        request_id = getattr(record, "request_id", "")
        return f"{line} [request {request_id}]" if request_id else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "")
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _StandardError(logging.Handler):
    """Writes to ``sys.stderr`` as it is at each record, not as it was when logging was set up:
    a test runner (or a daemon manager) may swap the stream and close the old one."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def configure_logging(
    level: str = "INFO", style: Literal["human", "json"] = "human", stream: TextIO | None = None
) -> None:
    """Route every logger to one handler on ``stream`` (stderr); calling it again replaces it."""
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else _StandardError()
    )
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if style == "json" else HumanFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)  # uvicorn's own handlers would print twice
        logger.handlers.clear()
        logger.propagate = True
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(quiet)
