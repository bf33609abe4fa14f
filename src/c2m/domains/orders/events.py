"""Names of the order domain's events and topics, shared by producers and subscribers."""

from __future__ import annotations

from typing import Any

TOPIC_PREFIX = "orders."


def order_topic(order_id: str) -> str:
    """The bus topic carrying one order's timeline events."""
    return f"{TOPIC_PREFIX}{order_id}.events"


def timeline_message(
    order_id: str, customer_id: str, enterprise_id: str, event: dict[str, Any]
) -> dict[str, Any]:
    """The outbox message for one timeline event: the event plus whose order it is."""
    return {
        **event,
        "order_id": order_id,
        "customer_id": customer_id,
        "enterprise_id": enterprise_id,
    }
