"""One planner per factory: leases with fencing epochs, shared out among the live workers.

A worker beats every round; each factory goes to a live worker by rendezvous hashing with
bounded loads (``assignment``), so two workers and two factories split one each and a dead
worker's factories spread over the others. Taking a lease bumps its epoch; every plan and every
attempt is written with the epoch it was made under and the database refuses a stale one
(migration 0009), so a leader that lost its lease while it was busy cannot write after the new
one started. Only row locks inside one transaction are used: this works behind PgBouncer in
transaction mode, where session advisory locks do not.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Factory, FactoryLease, FactoryWorker
from c2m.kernel.db import table_of

#: What the database says when it refuses a write from a stale epoch (migration 0009).
STALE = "c2m: stale planner lease"
FORGET_AFTER = 10  # a worker silent for this many lease periods is dropped from the table


class StaleLease(RuntimeError):
    """This process no longer leads the factory; whatever it was doing there is void."""


@dataclass(frozen=True, slots=True)
class Lease:
    factory_id: str
    epoch: int


def is_stale(error: BaseException) -> bool:
    """Whether ``error`` is the database refusing a write from a stale epoch."""
    return isinstance(error, StaleLease) or (
        isinstance(error, DBAPIError) and STALE in str(error.orig)
    )


def beat(session: Session, worker: str, now: datetime, ttl_s: float) -> list[str]:
    """Say this worker is alive; the workers alive now (this one included)."""
    values = {"id": worker, "seen_at": now}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(table_of(FactoryWorker)).values(values)
    session.execute(upsert.on_conflict_do_update(index_elements=["id"], set_=values))
    forget = now - timedelta(seconds=ttl_s * FORGET_AFTER)
    session.execute(delete(FactoryWorker).where(FactoryWorker.seen_at < forget))
    alive = select(FactoryWorker.id).where(FactoryWorker.seen_at > now - timedelta(seconds=ttl_s))
    return sorted(session.scalars(alive))


def leave(session: Session, worker: str, now: datetime) -> None:
    """A worker stopping: its leases free at once and it no longer counts as alive."""
    session.execute(
        update(FactoryLease)
        .where(FactoryLease.holder == worker)
        .values(holder=None, expires_at=now)
    )
    session.execute(delete(FactoryWorker).where(FactoryWorker.id == worker))


def assignment(factories: list[str], workers: list[str]) -> dict[str, str]:
    """Which worker should lead each factory: the same answer in every process that sees the
    same lists. Each factory goes to the first of its workers in rendezvous order that leads
    fewer than its fair share, so loads differ by one at most and a worker joining or leaving
    moves few factories."""
    if not workers:
        return {}
    share, extra = divmod(len(factories), len(workers))  # ``extra`` workers lead one more
    load = dict.fromkeys(workers, 0)
    out: dict[str, str] = {}
    for factory_id in sorted(factories):
        ranked = sorted(workers, key=lambda w: _rank(factory_id, w), reverse=True)
        chosen = next(w for w in ranked if load[w] < share or (load[w] == share and extra))
        if load[chosen] == share:
            extra -= 1
        load[chosen] += 1
        out[factory_id] = chosen
    return out


def _rank(factory_id: str, worker: str) -> bytes:
    return hashlib.sha256(f"{factory_id}/{worker}".encode()).digest()


def share(
    session: Session,
    worker: str,
    led: dict[str, Lease],
    workers: list[str],
    now: datetime,
    ttl_s: float,
) -> dict[str, Lease]:
    """One round: renew what ``worker`` leads and should keep, hand over what another live
    worker should have, take what is free and falls to it. Returns what it leads now."""
    until = now + timedelta(seconds=ttl_s)
    factories = list(session.scalars(select(Factory.id).order_by(Factory.id)))
    _ensure_rows(session, factories, now)
    wanted = assignment(factories, workers)
    leads: dict[str, Lease] = {}
    for factory_id in factories:
        mine = wanted.get(factory_id) == worker
        lease = led.get(factory_id)
        if lease is not None and not mine:
            _release(session, lease, worker, now)
        elif lease is not None and _renew(session, lease, worker, until):
            leads[factory_id] = lease
        elif mine:
            taken = _take(session, factory_id, worker, now, until)
            if taken is not None:
                leads[factory_id] = taken
    return leads


def fence(session: Session, lease: Lease) -> None:
    """Hold the lease's row for this transaction, or raise :class:`StaleLease`: a takeover
    cannot commit before this transaction ends (on SQLite, writers are serialised anyway)."""
    current = session.scalar(
        select(FactoryLease.epoch)
        .where(FactoryLease.factory_id == lease.factory_id)
        .with_for_update(read=True)
    )
    if current != lease.epoch:
        raise StaleLease(f"factory {lease.factory_id} is led at epoch {current}, not {lease.epoch}")


def _ensure_rows(session: Session, factories: list[str], now: datetime) -> None:
    known = set(session.scalars(select(FactoryLease.factory_id)))
    missing = [f for f in factories if f not in known]
    if not missing:
        return
    rows = [{"factory_id": f, "epoch": 0, "holder": None, "expires_at": now} for f in missing]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(table_of(FactoryLease)).values(rows).on_conflict_do_nothing())


def _renew(session: Session, lease: Lease, worker: str, until: datetime) -> bool:
    renewed = session.execute(
        update(FactoryLease)
        .where(
            FactoryLease.factory_id == lease.factory_id,
            FactoryLease.epoch == lease.epoch,
            FactoryLease.holder == worker,
        )
        .values(expires_at=until)
    )
    return bool(renewed.rowcount)  # type: ignore[attr-defined]


def _release(session: Session, lease: Lease, worker: str, now: datetime) -> None:
    session.execute(
        update(FactoryLease)
        .where(
            FactoryLease.factory_id == lease.factory_id,
            FactoryLease.epoch == lease.epoch,
            FactoryLease.holder == worker,
        )
        .values(holder=None, expires_at=now)
    )


def _take(
    session: Session, factory_id: str, worker: str, now: datetime, until: datetime
) -> Lease | None:
    epoch = session.scalar(
        update(FactoryLease)
        .where(
            FactoryLease.factory_id == factory_id,
            # free, lapsed, or held by an earlier run of this worker (its epoch is fenced off)
            FactoryLease.holder.is_(None)
            | (FactoryLease.expires_at <= now)
            | (FactoryLease.holder == worker),
        )
        .values(epoch=FactoryLease.epoch + 1, holder=worker, expires_at=until)
        .returning(FactoryLease.epoch)
    )
    return None if epoch is None else Lease(factory_id, epoch)
