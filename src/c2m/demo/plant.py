"""The demo's factory: the digital twin behind the MQTT broker, the production loop that plans
and dispatches, and simulated customers, started around the web server and stopped after it."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.demo.factory import demo_factory
from c2m.demo.seed import DEMO_LOGINS
from c2m.demo.shoppers import Shoppers
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import User
from c2m.engines.simulation import Twin, make_environment
from c2m.settings import Settings
from c2m.workers.machine_bus import MachineBus
from c2m.workers.production import ProductionSettings

log = logging.getLogger(__name__)
CARRIER_S = 4 * 3600  # the demo's carrier delivers four (simulated) hours after shipping
CUSTOMERS = tuple(login.email for login in DEMO_LOGINS if login.role == "user")


class Plant:
    def __init__(
        self, settings: Settings, *, speed: float, orders_per_minute: float | None
    ) -> None:
        self.settings = settings
        self.speed = speed
        self.orders_per_minute = orders_per_minute
        self.bus: MachineBus | None = None
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self, platform: Platform) -> None:
        twin = Twin(demo_factory(), seed=7, env=make_environment(self.speed))
        production = ProductionSettings(
            time_scale=self.speed,
            lease_margin_s=self.settings.job_lease_seconds,
            plan_seconds=self.settings.plan_seconds,
            deliver_after_s=CARRIER_S / self.speed,
        )
        self.bus = MachineBus(self.settings, platform.db, twin, production)
        self.bus.start()
        if self.orders_per_minute:
            with platform.db.read() as session:
                users = session.scalars(select(User).where(User.email.in_(CUSTOMERS)))
                customers = [Actor.of(user) for user in users]
            shoppers = Shoppers(platform.db, platform.payments, customers, self.orders_per_minute)
            thread = threading.Thread(
                target=shoppers.run, args=(self.stopping,), name="shoppers", daemon=True
            )
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)
        if self.bus is not None:
            try:
                self.bus.stop()
            except TimeoutError:
                log.warning("the factory did not stop within 30 s; leaving it to exit with us")
