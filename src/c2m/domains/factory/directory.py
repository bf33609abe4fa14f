"""Which machine a topic names: ``(factory code, machine code)`` to ids, cached per process.

A name that is not in the cache reloads it at most once per ``reload_s``, so a machine added a
moment ago is found, while a flood of made-up names costs one query per interval, not per message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Factory, Machine


@dataclass(frozen=True, slots=True)
class MachineRef:
    id: str
    factory_id: str


class Directory:
    def __init__(self, reload_s: float = 5.0) -> None:
        self.reload_s = reload_s
        self._refs: dict[tuple[str, str], MachineRef] = {}
        self._loaded_at = -float("inf")

    def load(self, session: Session) -> None:
        """Read every machine's topic names again (after a reconnect, or when one is missing)."""
        rows = session.execute(
            select(Factory.code, Machine.code, Machine.id, Machine.factory_id).join(
                Machine, Machine.factory_id == Factory.id
            )
        )
        self._refs = {(f, m): MachineRef(mid, fid) for f, m, mid, fid in rows}
        self._loaded_at = time.monotonic()

    def topics(self) -> list[tuple[str, str]]:
        """(factory code, machine code) of every machine loaded, in order."""
        return sorted(self._refs)

    def find(self, session: Session, factory: str, machine: str) -> MachineRef | None:
        ref = self._refs.get((factory, machine))
        if ref is None and time.monotonic() - self._loaded_at >= self.reload_s:
            self.load(session)
            ref = self._refs.get((factory, machine))
        return ref
