"""Every state change reaches the bus through the outbox at least once; consumers ignore repeats."""

from __future__ import annotations

from c2m.bootstrap import Platform
from c2m.domains.orders.events import TOPIC_PREFIX
from c2m.domains.orders.schemas import NewLine, NewOrder
from c2m.kernel.outbox import first_time
from tests.conftest import World, place_order


def test_relay_publishes_each_committed_event_and_consumers_skip_repeats(
    platform: Platform, world: World
) -> None:
    seen: list[tuple[int, int]] = []
    handled: list[int] = []

    def consumer(_topic: str, message: dict[str, object]) -> None:
        message_id = int(str(message["message_id"]))
        seen.append((message_id, int(str(message["seq"]))))
        with platform.db.write() as session:
            if first_time(session, "test-consumer", message_id):
                handled.append(message_id)

    platform.bus.add_handler(TOPIC_PREFIX, consumer)
    data = NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=1)])
    with platform.db.write() as session:
        order = place_order(session, world.alice.actor, data)
    try:
        with platform.db.write() as session:
            place_order(session, world.alice.actor, data)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert platform.relay.pending() == 1  # the rolled-back order left nothing behind
    assert platform.relay.relay_once() == 1
    assert len(handled) == 1  # a handler may write while the relay works
    assert platform.relay.relay_once() == 0
    assert platform.relay.pending() == 0
    # Simulate a crash after publishing but before marking: the same message comes again.
    platform.bus.publish(f"{TOPIC_PREFIX}{order.id}.events", {"message_id": seen[0][0], "seq": 1})
    assert [seq for _, seq in seen] == [1, 1]
    assert len(handled) == 1


def test_commit_wakes_the_relay(platform: Platform, world: World) -> None:
    platform.relay.wakeup.clear()
    with platform.db.write() as session:
        place_order(
            session,
            world.alice.actor,
            NewOrder(lines=[NewLine(product_id=world.product_a.id, quantity=2)]),
        )
    assert platform.relay.wakeup.is_set()
