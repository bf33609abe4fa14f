"""What ``c2m demo`` runs around the web server besides the platform: the factory half with the
digital twin standing in for the machines, simulated customers who order and pay, and a
storekeeper who keeps the plant's materials in stock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import select

from c2m.bootstrap import Platform, build_factory
from c2m.demo.factory import demo_factory
from c2m.demo.seed import SHOPPER_NAMES, WORKSHOP, shopper_email
from c2m.demo.shoppers import Shoppers
from c2m.demo.stores import keep_stores
from c2m.domains.factory.models import Factory
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import Enterprise, User

log = logging.getLogger(__name__)
CARRIER_DELAY_S = 4 * 3600.0
"""The demo's carrier (``C2M_CARRIER_DELAY_SECONDS``) delivers 4 simulated hours after shipping."""
CUSTOMERS = tuple(shopper_email(name) for name in SHOPPER_NAMES)
"""Who the simulated customers are: accounts of their own, never the demo's log-ins."""


class Plant:
    def __init__(self, platform: Platform, *, orders_per_minute: float | None) -> None:
        # Imported here, the only user: `c2m serve` imports this module but runs no twin.
        from c2m.engines.simulation import Twin, make_environment

        self.platform = platform
        speed = platform.settings.factory_time_scale
        twin = Twin(demo_factory(), seed=7, env=make_environment(speed))
        self.factory = build_factory(
            platform.settings, platform.db, twin=twin, bus=platform.bus, health=platform.health
        )
        self.orders_per_minute = orders_per_minute
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        self.factory.start()
        self._spawn("stores", self._keep_stores)
        if self.orders_per_minute:
            db = self.platform.db
            with db.read() as session:
                users = session.scalars(select(User).where(User.email.in_(CUSTOMERS)))
                customers = [Actor.of(user) for user in users]
            shoppers = Shoppers(
                db,
                self.platform.payments,
                customers,
                self.orders_per_minute,
                promise=self.platform.promise,
            )
            self._spawn("shoppers", shoppers.run)

    def _spawn(self, name: str, run: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(target=run, args=(self.stopping,), name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _keep_stores(self, stop: threading.Event) -> None:
        with self.platform.db.read() as session:
            found = session.execute(
                select(Factory.enterprise_id, Factory.id)
                .join(Enterprise, Enterprise.id == Factory.enterprise_id)
                .where(Enterprise.slug == WORKSHOP)
                .limit(1)
            ).first()
        if found is not None:
            keep_stores(self.platform.db, found[0], found[1], stop)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)
        try:
            self.factory.stop()
        except TimeoutError:
            log.warning("the factory did not stop within 30 s; leaving it to exit with us")
