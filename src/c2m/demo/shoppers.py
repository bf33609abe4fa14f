"""Simulated customers for ``c2m demo``: at a steady rate one of them designs or picks a product,
orders it and pays, so a newcomer sees a busy factory and live timelines from the first minute.

They go through the same use cases as people do (designs are completed and priced from their
template, payments through the test provider), so what the factory makes is what a customer
could have ordered.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog import designs
from c2m.domains.catalog.models import Product, ProductTemplate
from c2m.domains.catalog.schemas import NewDesign
from c2m.domains.orders import placement, service
from c2m.domains.orders.payments import TestPaymentProvider
from c2m.domains.orders.schemas import NewLine, NewOrder, Pay
from c2m.domains.platform.actor import Actor
from c2m.kernel.db import Database

log = logging.getLogger(__name__)


@dataclass
class Shoppers:
    db: Database
    payments: TestPaymentProvider
    customers: list[Actor]
    per_minute: float
    seed: int = 0
    placed: int = 0

    def run(self, stop: threading.Event) -> None:
        rng = random.Random(self.seed)  # noqa: S311 (simulated customers, not secrecy)
        while not stop.wait(rng.expovariate(self.per_minute / 60)):
            try:
                self.shop(rng)
            except Exception:
                log.exception("a simulated customer could not order; the next one will try")

    def shop(self, rng: random.Random) -> str:
        """One customer orders one thing and pays for it; the order's id."""
        customer = rng.choice(self.customers)
        with self.db.read() as session:
            templates = list(
                session.scalars(select(ProductTemplate.id).where(ProductTemplate.published))
            )
            products = list(session.scalars(select(Product.id).where(Product.active)))
        prepare = self._choose(rng, customer, templates, products)
        order_id = str(placement.place(self.db, None, prepare).body["id"])
        with self.db.write() as session:
            service.pay(
                session,
                customer,
                order_id,
                Pay(payment_method="test-ok", expected_version=1),
                self.payments,
            )
        self.placed += 1
        return order_id

    def _choose(
        self, rng: random.Random, customer: Actor, templates: list[str], products: list[str]
    ) -> Callable[[Session], placement.PreparedOrder]:
        """What the customer orders: a design of a template (saved first) or a catalog product."""
        if templates and rng.random() < 0.75:
            with self.db.write() as session:
                design = designs.save_design(
                    session,
                    customer,
                    NewDesign(
                        template_id=rng.choice(templates), name="My design", configuration={}
                    ),
                )
            return partial(placement.prepare_design_order, actor=customer, design_id=design.id)
        line = NewLine(product_id=rng.choice(products), quantity=rng.randint(1, 3))
        return partial(placement.prepare_order, actor=customer, data=NewOrder(lines=[line]))
