"""The demo factory, loading factories from data, reproducibility and the FIFO dispatcher."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest
from sim_support import check_invariants

from c2m.demo.factory import DAY, DEMO_FACTORY, demo_factory, demo_order
from c2m.engines.simulation import (
    CAPABILITIES,
    EventLog,
    FifoDispatcher,
    JobCommand,
    Twin,
    TwinError,
    WorkOrder,
    factory_from_dict,
    load_factory,
)

MIX = (1.0, 3.0, 6.0)


def _run(seed: int, orders: int = 150, until: float = 2 * DAY) -> tuple[EventLog, FifoDispatcher]:
    twin = Twin(demo_factory(), seed=seed)
    log = EventLog()
    twin.subscribe(log)
    dispatcher = FifoDispatcher(twin)
    twin.start()
    rng = random.Random(seed)
    for n in range(orders):
        dispatcher.release_at(rng.uniform(0, DAY), demo_order(f"o{n}", rng, MIX))
    twin.run(until)
    return log, dispatcher


def test_sim_demo_factory_covers_every_capability_of_the_demo_products() -> None:
    factory = demo_factory()
    assert len(factory.machines) >= 12
    resin_and_powder = {"sla-print", "sls-print"}  # quoted parts only; no demo product uses them
    assert {c for m in factory.machines for c in m.capabilities} == CAPABILITIES - resin_and_powder
    assert {m.on_breakdown for m in factory.machines} == {"fail", "hold"}
    assert all(m.scrap_rate > 0 for m in factory.capable("inspect"))


def test_sim_same_seed_same_event_log() -> None:
    first, _ = _run(seed=11)
    second, _ = _run(seed=11)
    assert len(first.events) > 10_000
    assert first.events == second.events
    other, _ = _run(seed=12)
    assert other.events != first.events


def test_sim_dispatcher_makes_every_order_exactly_once() -> None:
    log, dispatcher = _run(seed=3, orders=120, until=6 * DAY)
    check_invariants(log.events)
    assert len(dispatcher.stats.completed) == 120
    assert dispatcher.waiting() == 0
    packed: dict[str, int] = {}
    for event in log.events:
        if event.phase == "done" and event.operation and event.operation.split(".")[1] == "pack":
            order = event.operation.split(".")[0]
            packed[order] = packed.get(order, 0) + 1
    assert set(packed.values()) == {1}
    assert dispatcher.stats.retried > 0  # breakdowns happened and were retried
    assert dispatcher.stats.scrapped > 0  # and scrapped parts were remade


def test_sim_dispatcher_retries_attempts_lost_with_a_death() -> None:
    twin = Twin(demo_factory(), seed=1)
    log = EventLog()
    twin.subscribe(log)
    dispatcher = FifoDispatcher(twin)
    twin.start()
    order = demo_order("o1", random.Random(4), (0.0, 0.0, 1.0))
    dispatcher.release(order)
    first = next(e for e in log.events if e.phase == "accepted")
    twin.at(60, lambda: twin.kill(first.machine_id))
    twin.at(120, lambda: twin.revive(first.machine_id))
    twin.run(DAY)
    assert "o1" in dispatcher.stats.completed
    attempts = [e.payload["attempt_id"] for e in log.events if e.phase == "started"]
    assert attempts[:2] == ["o1.cut.a1", "o1.cut.a2"]


def test_sim_dispatcher_refuses_impossible_orders() -> None:
    twin = Twin(factory_from_dict(_tiny()))
    with pytest.raises(TwinError, match="no machine can do"):
        FifoDispatcher(twin).release(demo_order("o1", random.Random(1), (0.0, 1.0, 0.0)))
    assert isinstance(WorkOrder("x", "f", ()), WorkOrder)


def _tiny(**machine: object) -> dict[str, object]:
    return {"id": "tiny", "machines": [{"id": "m1", "capabilities": ["pack"], **machine}]}


def test_sim_factory_from_dict_reads_every_field() -> None:
    data = _tiny(
        speed=2,
        mtbf_s=100,
        mttr_s=5,
        on_breakdown="hold",
        setup={"default_s": 30, "changeovers": {"a": {"b": 7}}},
    )
    (spec,) = factory_from_dict(data).machines
    assert spec.speed == 2.0
    assert spec.mtbf_s == 100.0
    assert spec.on_breakdown == "hold"
    assert spec.setup.between("a", "b") == 7.0
    assert spec.setup.between("b", "a") == 30.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"speedd": 2}, "unknown keys \\['speedd'\\]"),
        ({"capabilities": ["weld"]}, "unknown capabilities \\['weld'\\]"),
        ({"capabilities": "pack"}, "must be a list"),
        ({"speed": "fast"}, "'speed' must be a number"),
        ({"speed": 0}, "speed must be positive"),
        ({"scrap_rate": 0.1}, "only inspection machines"),
        ({"on_breakdown": "panic"}, "'fail' or 'hold'"),
        ({"id": "a/b"}, "MQTT topic level"),
        ({"setup": {"default_s": -1}}, "cannot be negative"),
    ],
)
def test_sim_factory_from_dict_explains_mistakes(change: dict[str, object], message: str) -> None:
    with pytest.raises(TwinError, match=message):
        factory_from_dict(_tiny(**change))


def test_sim_duplicate_machine_ids_are_refused() -> None:
    data = copy.deepcopy(DEMO_FACTORY)
    data["machines"].append(data["machines"][0])
    with pytest.raises(TwinError, match="more than once"):
        factory_from_dict(data)


def test_sim_load_factory_from_json_and_yaml(tmp_path: Path) -> None:
    json_path = tmp_path / "demo.json"
    json_path.write_text(json.dumps(DEMO_FACTORY))
    assert load_factory(json_path) == demo_factory()
    yaml = pytest.importorskip("yaml")
    yaml_path = tmp_path / "demo.yaml"
    yaml_path.write_text(yaml.safe_dump(json.loads(json.dumps(DEMO_FACTORY))))
    assert load_factory(yaml_path) == demo_factory()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"operation_id": "op", "attempt_id": 3, "nominal_s": 1}, "must be strings"),
        ({"operation_id": "op", "attempt_id": "a", "nominal_s": "1"}, "number of seconds"),
        ({"operation_id": "op", "attempt_id": "a", "nominal_s": True}, "number of seconds"),
        ({"operation_id": "o/p", "attempt_id": "a", "nominal_s": 1}, "MQTT topic level"),
        ({"operation_id": "op", "attempt_id": "", "nominal_s": 1}, "needs an attempt id"),
        ({"operation_id": "op", "attempt_id": "a", "nominal_s": -1}, "must be >= 0"),
        ({"operation_id": "op", "attempt_id": "a", "nominal_s": 1, "family": 2}, "strings"),
    ],
)
def test_sim_command_payloads_are_checked(payload: dict[str, object], message: str) -> None:
    with pytest.raises(TwinError, match=message):
        JobCommand.from_payload(payload)


def test_sim_command_from_payload() -> None:
    payload = {"operation_id": "o1.cut", "attempt_id": "o1.cut.a1", "nominal_s": 90, "family": "x"}
    assert JobCommand.from_payload(payload) == JobCommand("o1.cut", "o1.cut.a1", 90.0, "x")
