"""Orders placed by the group writer: many callers in one transaction, each their own answer."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from c2m.bootstrap import Platform
from c2m.domains.orders.models import Order, OrderEvent, OrderLine
from c2m.domains.orders.placement import OrderRequest, place_orders
from c2m.domains.orders.schemas import NewLine, NewOrder
from c2m.kernel.errors import InvalidInput, NotFound
from c2m.kernel.group_commit import GroupWriter
from c2m.kernel.idempotency import IdempotencyRecord, KeyClaim, StoredResponse, fingerprint
from c2m.kernel.outbox import OutboxMessage
from tests.conftest import Person, World


def order_of(product_id: str, quantity: int = 1) -> NewOrder:
    return NewOrder(lines=[NewLine(product_id=product_id, quantity=quantity)])


def request(person: Person, data: NewOrder, key: str | None = None) -> OrderRequest:
    claim = (
        None
        if key is None
        else KeyClaim(person.actor.user_id, key, fingerprint("POST", "/o", data.model_dump()))
    )
    return OrderRequest(person.actor, data, claim)


def count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_one_batch_answers_each_caller_and_writes_only_the_accepted(
    platform: Platform, world: World
) -> None:
    good = order_of(world.product_a.id, 2)
    with platform.db.write() as session:
        place_orders(session, [request(world.alice, good, "first")])
    batch = [
        request(world.alice, good, "first"),  # replayed
        request(world.alice, order_of(world.product_a.id, 3), "first"),  # key reused: 422
        request(world.bob, good, "first"),  # same key, another caller: a new order
        request(world.alice, order_of("no-such-product"), "second"),  # refused alone
        request(world.alice, good),  # no key
        request(world.bob, NewOrder(lines=[*good.lines, *order_of(world.product_b.id).lines])),
    ]
    with platform.db.write() as session:
        answers = place_orders(session, batch)
    replay, reused, bobs, missing, plain, mixed = answers
    assert isinstance(replay, StoredResponse)
    assert replay.replayed
    assert isinstance(reused, InvalidInput)
    assert isinstance(bobs, StoredResponse)
    assert not bobs.replayed
    assert (bobs.body["customer_id"], bobs.body["total"]) == (world.bob.user.id, 9000)
    assert isinstance(missing, NotFound)
    assert isinstance(plain, StoredResponse)
    assert plain.status_code == 201
    assert isinstance(mixed, InvalidInput)
    assert "same micro-enterprise" in str(mixed)
    with platform.db.read() as session:
        assert count(session, Order) == 3  # the first, bob's and the one without a key
        assert count(session, OrderLine) == 3
        assert count(session, OrderEvent) == 3
        assert count(session, OutboxMessage) == 3
        assert count(session, IdempotencyRecord) == 2
        assert session.get(Order, bobs.body["id"]) is not None


def writer_for(platform: Platform) -> GroupWriter[OrderRequest, StoredResponse]:
    return GroupWriter(
        platform.db, place_orders, name="test-intake", exclusive=lambda r: r.key, max_batch=8
    )


def test_concurrent_callers_with_one_key_get_one_order(platform: Platform, world: World) -> None:
    """Twenty callers send one key at once: one order, nineteen replays of its answer."""
    writer = writer_for(platform)
    data = order_of(world.product_a.id)
    try:
        futures = [writer.enqueue(request(world.alice, data, "same")) for _ in range(20)]
        answers = [future.result(timeout=30) for future in futures]
    finally:
        writer.close()
    assert len({answer.body["id"] for answer in answers}) == 1
    assert sum(not answer.replayed for answer in answers) == 1
    with platform.db.read() as session:
        assert count(session, Order) == 1


def test_a_failing_batch_is_retried_one_by_one_so_only_the_bad_item_fails(
    platform: Platform,
) -> None:
    batches: list[list[int]] = []
    release = threading.Event()

    def write(_session: Session, items: Sequence[int]) -> list[int | Exception]:
        release.wait(10)  # hold the first batch so the rest queue up behind it
        batches.append(list(items))
        if 13 in items:
            raise RuntimeError("unlucky")
        return [item * 2 for item in items]

    writer: GroupWriter[int, int] = GroupWriter(platform.db, write, name="test-writer")
    try:
        futures: list[Future[int]] = [writer.enqueue(item) for item in (1, 12, 13, 14)]
        release.set()
        assert futures[0].result(timeout=10) == 2
        with pytest.raises(RuntimeError, match="unlucky"):
            futures[2].result(timeout=10)
        assert [futures[i].result(timeout=10) for i in (1, 3)] == [24, 28]
    finally:
        writer.close()
    assert any(len(batch) > 1 and 13 in batch for batch in batches)  # together first,
    assert batches[-3:] == [[12], [13], [14]]  # then alone


def test_closing_writes_what_is_queued(platform: Platform, world: World) -> None:
    writer = writer_for(platform)
    futures = [
        writer.enqueue(request(world.alice, order_of(world.product_a.id))) for _ in range(30)
    ]
    writer.close()
    assert all(future.result(timeout=0).status_code == 201 for future in futures)
    with platform.db.read() as session:
        assert count(session, Order) == 30


def test_a_batch_smaller_than_the_one_before_gathers_the_rest_of_its_submitters(
    platform: Platform,
) -> None:
    batches: list[list[int]] = []
    release = threading.Event()

    def write(_session: Session, items: Sequence[int]) -> list[int | Exception]:
        release.wait(10)  # hold the first batch so the next three queue up behind it
        batches.append(list(items))
        return list(items)

    writer: GroupWriter[int, int] = GroupWriter(platform.db, write, name="test-writer", gather=0.5)
    try:
        first = [writer.enqueue(item) for item in (1, 2, 3, 4)]
        release.set()
        assert [future.result(timeout=10) for future in first] == [1, 2, 3, 4]
        # The batch before held three: a submitter waits for the two coming after it...
        late = [writer.enqueue(5)]
        time.sleep(0.2)
        late += [writer.enqueue(item) for item in (6, 7)]
        assert [future.result(timeout=10) for future in late] == [5, 6, 7]
        assert writer.enqueue(8).result(timeout=10) == 8  # ...half a second at most,
        began = time.monotonic()
        assert writer.enqueue(9).result(timeout=10) == 9  # and after a batch of one, not at all
        assert time.monotonic() - began < 0.4
    finally:
        writer.close()
    assert batches[-3:] == [[5, 6, 7], [8], [9]]
