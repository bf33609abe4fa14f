"""Live order timelines as Server-Sent Events.

The database is the record; the bus only says "something new". A listener subscribes before it
reads the backlog, takes bus messages that continue its sequence, and re-reads the database on a
gap or every ``sse_poll_seconds`` (events committed by another process), so it delivers every
event exactly once and in order, resuming after ``Last-Event-ID``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from anyio import to_thread

from c2m.bootstrap import Platform
from c2m.domains.orders.events import order_topic
from c2m.domains.orders.schemas import EventOut
from c2m.domains.orders.service import events_after


def _backlog(platform: Platform, order_id: str, after: int) -> list[dict[str, Any]]:
    with platform.db.read() as session:
        return [
            EventOut.model_validate(e).model_dump(mode="json")
            for e in events_after(session, order_id, after)
        ]


def _as_sse(event: dict[str, Any]) -> dict[str, str]:
    fields = EventOut.model_fields
    data = {k: v for k, v in event.items() if k in fields}
    return {"id": str(event["seq"]), "data": json.dumps(data, separators=(",", ":"))}


async def timeline_events(
    platform: Platform, order_id: str, after: int
) -> AsyncIterator[dict[str, str]]:
    """SSE messages for one order, from ``after`` on, until the client goes away."""
    subscription = platform.bus.subscribe(order_topic(order_id))
    last = after
    try:
        while True:
            for event in await to_thread.run_sync(_backlog, platform, order_id, last):
                last = event["seq"]
                yield _as_sse(event)
            while True:
                try:
                    message = await asyncio.wait_for(
                        subscription.queue.get(), timeout=platform.settings.sse_poll_seconds
                    )
                except TimeoutError:
                    break  # re-read the database
                if message["seq"] <= last:
                    continue
                if message["seq"] != last + 1:
                    break  # a gap: the database has what we missed
                last = message["seq"]
                yield _as_sse(message)
    finally:
        subscription.close()
