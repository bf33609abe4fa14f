"""Shared set-up of the Get a Quote tests: a quoting micro-enterprise with machines, and parts."""

from __future__ import annotations

import numpy as np
import trimesh

from c2m.bootstrap import Platform
from c2m.domains.factory.models import Factory, Machine
from c2m.domains.factory.vocabulary import MachineState
from c2m.domains.platform.models import Enterprise
from c2m.domains.quoting.quoters import open_quoting
from tests.bench_data import BENCH

BENCH_MODELS = BENCH / "stl" / "models"
MACHINES = {"p1": ["fdm-print"], "p2": ["fdm-print"], "m1": ["cnc-mill"], "q1": ["inspect"]}


def open_shop(platform: Platform, enterprise: Enterprise) -> None:
    """Let ``enterprise`` quote, with two printers, a mill and an inspection station, connected
    and idle (a machine not connected is given no work, so it promises no date)."""
    with platform.db.write() as session:
        loaded = session.get(Enterprise, enterprise.id)
        assert loaded is not None
        open_quoting(session, loaded)
        factory = Factory(enterprise_id=enterprise.id, code=f"{enterprise.slug}-f", name="Plant")
        session.add(factory)
        session.flush()
        session.add_all(
            Machine(
                factory_id=factory.id,
                code=code,
                name=code,
                capabilities=capabilities,
                state=MachineState.IDLE,
            )
            for code, capabilities in MACHINES.items()
        )


def box_stl(size: tuple[float, float, float]) -> bytes:
    """A closed box as binary STL, made by trimesh (not by the code under test)."""
    box = trimesh.creation.box(extents=size)
    box.apply_translation(np.asarray(size) / 2)
    data: bytes = box.export(file_type="stl")
    return data
