"""Costing: hand-computed prices, monotone quantity breaks, DFM verdicts, load-aware ship dates."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from c2m.engines.costing.estimate import CostingError, quote
from c2m.engines.costing.leadtime import Capacity, MachineTime, Tier, finish_time
from c2m.engines.costing.tables import Process, default_tables
from c2m.engines.geometry.analysis import analyze
from c2m.engines.geometry.measures import Analysis
from c2m.engines.geometry.units import Unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def cube(side: float) -> Analysis:
    import trimesh

    box = trimesh.creation.box(extents=(side, side, side))
    box.apply_translation((side / 2, side / 2, side / 2))
    analysis, _ = analyze(np.asarray(box.triangles, dtype=np.float64), unit=Unit.MM)
    return analysis


CUBE = cube(20.0)


def test_fdm_price_by_hand() -> None:
    result = quote(CUBE, Process.FDM, "PLA", 10, now=NOW)
    # 8 cm3 of PLA: 8 * 1.24 g * 25 EUR/kg; 8 / 18 h at 6 EUR/h, 0.95 per doubling.
    material = 8 * 1.24 / 1000 * 25
    machine = 8 / 18 * 6 * 10 ** math.log2(0.95)
    total = ((material + machine) * 10 + 5.0) * 1.25
    assert result.total == pytest.approx(total, abs=0.01)
    assert not result.manual_review
    assert result.findings == ()


def test_cnc_price_by_hand() -> None:
    result = quote(CUBE, Process.CNC, "Aluminium 6061", 1, now=NOW)
    stock = 26**3 / 1000  # cm3: 3 mm of stock on each side
    hours = ((stock - 8) / 15 + 24 / 20) / 60
    setup = 60 + 2 * 25  # two setups: from the top and from below
    total = (stock * 2.7 / 1000 * 8 + hours * 70 + setup) * 1.25
    assert result.total == pytest.approx(total, abs=0.01)


def test_quantity_breaks_are_monotone() -> None:
    for process, material in [(Process.FDM, "PLA"), (Process.SLA, "standard resin"),
                              (Process.SLS, "PA12"), (Process.CNC, "POM")]:  # fmt: skip
        breaks = quote(cube(35.0), process, material, 1, now=NOW).breaks
        units = [b.unit_price for b in breaks]
        totals = [b.total for b in breaks]
        assert units == sorted(units, reverse=True), process
        assert totals == sorted(totals), process


def test_blocking_findings_ask_for_manual_review() -> None:
    open_box = dataclasses.replace(CUBE, valid_solid=False, volume=None, problem="open surface")
    result = quote(open_box, Process.FDM, "PLA", 1, now=NOW)
    assert result.manual_review
    assert result.total is None
    assert {f.rule for f in result.findings} == {"not_solid"}
    huge = dataclasses.replace(CUBE, size=(400.0, 10.0, 10.0))
    rules = {
        f.rule: f.severity.value
        for f in quote(huge, Process.SLA, "Tough resin", 1, now=NOW).findings
    }
    assert rules == {"too_large": "blocking"}
    assert not quote(huge, Process.CNC, "POM", 1, now=NOW).manual_review  # fits the mill


def test_thin_walls_and_small_features_warn() -> None:
    thin = dataclasses.replace(CUBE, min_wall=0.6, min_gap=0.4)
    rules = {f.rule for f in quote(thin, Process.FDM, "PLA", 1, now=NOW).findings}
    assert {"thin_walls", "small_features"} <= rules
    assert not quote(thin, Process.SLA, "Standard resin", 1, now=NOW).findings  # SLA resolves both


def test_unknown_or_wrong_material_is_refused() -> None:
    with pytest.raises(CostingError, match="PLA"):
        quote(CUBE, Process.FDM, "unobtainium", 1, now=NOW)
    with pytest.raises(CostingError, match="cnc material"):
        quote(CUBE, Process.FDM, "POM", 1, now=NOW)


def test_loaded_machines_ship_later_and_express_earlier() -> None:
    idle = Capacity({Process.FDM: (MachineTime(NOW), MachineTime(NOW))})
    busy = Capacity(
        {
            Process.FDM: (
                MachineTime(NOW + timedelta(days=3)),
                MachineTime(NOW + timedelta(days=5)),
            )
        }
    )
    calm = {
        t.tier: t for t in quote(CUBE, Process.FDM, "PLA", 50, now=NOW, capacity=idle).lead_times
    }
    loaded = {
        t.tier: t for t in quote(CUBE, Process.FDM, "PLA", 50, now=NOW, capacity=busy).lead_times
    }
    assert loaded[Tier.STANDARD].ship_date > calm[Tier.STANDARD].ship_date
    assert loaded[Tier.EXPRESS].ship_date < loaded[Tier.STANDARD].ship_date
    assert loaded[Tier.ECONOMY].ship_date > loaded[Tier.STANDARD].ship_date
    assert loaded[Tier.EXPRESS].price_factor > 1 > loaded[Tier.ECONOMY].price_factor


def test_no_capable_machine_gives_no_dates() -> None:
    result = quote(CUBE, Process.SLS, "PA12", 1, now=NOW, capacity=Capacity({}))
    assert result.lead_times == ()
    assert result.total is not None


def test_a_piece_is_made_whole_on_one_machine_and_pieces_spread_over_machines() -> None:
    free, later = MachineTime(NOW), MachineTime(NOW + timedelta(hours=2))
    assert finish_time([free, later], 1, 4.0) == NOW + timedelta(hours=4)  # never split in two
    assert finish_time([free, later], 2, 4.0) == NOW + timedelta(hours=6)  # one each
    assert finish_time([free, later], 3, 1.0) == NOW + timedelta(hours=3)  # all on the free one


def test_a_machine_works_only_in_its_shifts() -> None:
    night = (NOW + timedelta(hours=8), NOW + timedelta(hours=24))  # works 08:00 to 16:00
    day_shift = MachineTime(NOW, off=(night,))
    assert day_shift.work(NOW, 6.0) == NOW + timedelta(hours=6)
    assert day_shift.work(NOW, 10.0) == NOW + timedelta(hours=26)  # 8 h today, 2 h tomorrow
    assert day_shift.work(NOW + timedelta(hours=9), 1.0) == NOW + timedelta(hours=25)
    assert finish_time([day_shift], 1, 10.0) == NOW + timedelta(hours=26)


def test_tables_are_editable_data() -> None:
    tables = default_tables()
    cheaper = dataclasses.replace(tables, margin=0.0)
    assert (
        quote(CUBE, Process.FDM, "PLA", 10, now=NOW, tables=cheaper).total
        < quote(  # type: ignore[operator]
            CUBE, Process.FDM, "PLA", 10, now=NOW, tables=tables
        ).total
    )
