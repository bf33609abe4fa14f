"""Live order timelines as Server-Sent Events.

The database is the record; the bus only says "something new". A listener subscribes before it
reads the backlog, takes bus messages that continue its sequence, and re-reads the database on a
gap or a catch-up notice (events committed by another process, see domains/orders/live.py), so it
delivers every event exactly once and in order, resuming after ``Last-Event-ID``.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

from anyio import to_thread
from sse_starlette import ServerSentEvent

from c2m.bootstrap import Platform
from c2m.domains.orders.events import order_topic
from c2m.domains.orders.schemas import EventOut, as_shared
from c2m.domains.orders.service import events_after
from c2m.kernel.bus import CATCH_UP


def _backlog(platform: Platform, order_id: str, after: int) -> list[dict[str, Any]]:
    with platform.db.read() as session:
        return [
            EventOut.model_validate(e).model_dump(mode="json")
            for e in events_after(session, order_id, after)
        ]


#: Encoded SSE messages by (order id, seq, shared). Timeline events never change, so one encoding
#: serves every subscriber of a busy order instead of one JSON dump per subscriber.
_ENCODED: OrderedDict[tuple[str, int, bool], bytes] = OrderedDict()
_ENCODED_MAX = 4096


def _as_sse(order_id: str, event: dict[str, Any], shared: bool) -> bytes:
    key = (order_id, int(event["seq"]), shared)
    encoded = _ENCODED.get(key)
    if encoded is None:
        fields = EventOut.model_fields
        data = {k: v for k, v in event.items() if k in fields}
        if shared:
            data = as_shared(data)
        message = ServerSentEvent(data=json.dumps(data, separators=(",", ":")), id=str(key[1]))
        encoded = message.encode()
        _ENCODED[key] = encoded
        if len(_ENCODED) > _ENCODED_MAX:
            _ENCODED.popitem(last=False)
    return encoded


async def timeline_events(
    platform: Platform, order_id: str, after: int, shared: bool = False
) -> AsyncIterator[bytes]:
    """Encoded SSE messages for one order, from ``after`` on, until the client goes away; for a
    share link's holder (``shared``) without who did what."""
    subscription = platform.bus.subscribe(order_topic(order_id))
    last = after
    try:
        while True:
            for event in await to_thread.run_sync(_backlog, platform, order_id, last):
                last = event["seq"]
                yield _as_sse(order_id, event, shared)
            while True:
                message = await subscription.queue.get()
                if message.get(CATCH_UP):
                    if message.get("seq", last + 1) > last:
                        break  # re-read the database
                    continue
                if message["seq"] <= last:
                    continue
                if message["seq"] != last + 1:
                    break  # a gap: the database has what we missed
                last = message["seq"]
                yield _as_sse(order_id, message, shared)
    finally:
        subscription.close()
