"""Names of the order domain's events and topics, shared by producers and subscribers."""

from __future__ import annotations

TOPIC_PREFIX = "orders."


def order_topic(order_id: str) -> str:
    """The bus topic carrying one order's timeline events."""
    return f"{TOPIC_PREFIX}{order_id}.events"
