"""Issue 17, footprint: a unit's energy is its machines' power readings integrated over the
attempts that ran on them (trapezoid rule), shared among the work order's pieces, and kept when
the order ships; without readings it is "not measured", never estimated."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from c2m.bootstrap import Platform
from c2m.domains.factory.models import AttemptStatus, JobAttempt, Machine, TelemetrySample
from c2m.domains.planning.models import Operation, OperationStatus, WorkOrder
from c2m.domains.traceability.footprint import keep_footprints
from c2m.domains.traceability.models import Unit
from tests.conftest import World
from tests.integration.test_units import start, started_work

T0 = datetime.fromisoformat("2026-12-07T10:00:00+00:00")
# 2 kW 30 s before the attempt, 4 kW from 30 s to 90 s into it, 2 kW 30 s after it ends (120 s):
# 3 kW at both edges, so 0.5*(3+4)*30 + 4*60 + 0.5*(4+3)*30 = 450 kWs = 0.125 kWh in all.
READINGS = ((-30, 2.0), (30, 4.0), (90, 4.0), (150, 2.0))
PER_PIECE_KWH = 0.125 / 2


def ran(platform: Platform, world: World, readings: tuple[tuple[int, float], ...]) -> str:
    """Two stools' work order, one attempt of its step on a machine for 120 s, with ``readings``
    (seconds from the attempt's start, kW) from that machine; its order's id."""
    work_id = started_work(platform, world, 2, {})
    start(platform, work_id)
    with platform.db.write() as session:
        work = session.get(WorkOrder, work_id)
        assert work is not None
        machine = session.scalars(select(Machine).where(Machine.code == "assembly-1")).one()
        op = Operation(
            work_order_id=work_id,
            factory_id=work.factory_id,
            step="assemble",
            name="Assemble",
            capability="assemble",
            minutes=2,
            predecessors=[],
            status=OperationStatus.DONE,
            machine_id=machine.id,
        )
        session.add(op)
        session.flush()
        session.add(
            JobAttempt(
                attempt_id=f"a-{op.id}",
                machine_id=machine.id,
                operation_id=op.id,
                status=AttemptStatus.DONE,
                started_at=T0,
                ended_at=T0 + timedelta(seconds=120),
                updated_at=T0,
            )
        )
        session.add_all(
            TelemetrySample(machine_id=machine.id, at=T0 + timedelta(seconds=s), seq=n, power_kw=kw)
            for n, (s, kw) in enumerate(readings)
        )
        return work.first_order_id


def passport(client: TestClient, world: World, order_id: str) -> tuple[str, dict[str, object]]:
    units = client.get(f"/api/v1/orders/{order_id}", headers=world.alice.headers).json()["units"]
    serial = units[0]["serial"]
    as_json = {"Accept": "application/json", **world.alice.headers}
    return serial, client.get(f"/u/{serial}", headers=as_json).json()["credentialSubject"]


def test_a_units_energy_is_its_share_of_the_power_its_machines_drew(
    client: TestClient, world: World, platform: Platform
) -> None:
    order_id = ran(platform, world, READINGS)
    serial, subject = passport(client, world, order_id)
    scorecard = subject["emissionsScorecard"]
    assert isinstance(scorecard, dict)
    assert scorecard["energyConsumed"]["value"] == pytest.approx(PER_PIECE_KWH)
    assert scorecard["carbonFootprint"] == pytest.approx(PER_PIECE_KWH * 0.214)
    page = client.get(f"/u/{serial}", headers={"Accept": "text/html"})
    assert "62.5 Wh of electricity, 13.4 g CO₂e" in page.text

    with platform.db.write() as session:
        assert keep_footprints(session, order_id) == 2
        assert keep_footprints(session, order_id) == 0  # kept once
        session.execute(delete(TelemetrySample))  # retention deletes old telemetry
    _, kept = passport(client, world, order_id)
    assert kept["emissionsScorecard"] == scorecard


def test_without_power_readings_the_footprint_is_not_measured(
    client: TestClient, world: World, platform: Platform
) -> None:
    order_id = ran(platform, world, ())
    serial, subject = passport(client, world, order_id)
    assert "emissionsScorecard" not in subject
    page = client.get(f"/u/{serial}", headers={"Accept": "text/html"})
    assert "Not measured" in page.text
    with platform.db.write() as session:
        keep_footprints(session, order_id)
        kept = session.scalars(select(Unit.energy_kwh).where(Unit.order_id == order_id)).all()
        assert kept == [None, None]
