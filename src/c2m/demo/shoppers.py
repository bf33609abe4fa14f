"""Simulated customers for ``c2m demo``: at a steady rate one of them designs or picks a product,
orders it and pays, so a newcomer sees a busy factory and live timelines from the first minute.
Most of them answer the question asked after delivery, so the scorecard has answers to count.

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
from c2m.domains.catalog.templates import PromiseSource
from c2m.domains.insights import feedback
from c2m.domains.insights.models import Feedback
from c2m.domains.insights.schemas import Rating
from c2m.domains.orders import placement, service
from c2m.domains.orders.models import Order
from c2m.domains.orders.payments import TestPaymentProvider
from c2m.domains.orders.schemas import NewLine, NewOrder, Pay
from c2m.domains.orders.states import OrderState
from c2m.domains.platform.actor import Actor
from c2m.kernel.db import Database

log = logging.getLogger(__name__)
ANSWERING = 0.7
"""The share of delivered orders whose customer answers (many shops see far fewer)."""
ANSWERS = (
    (10, "Exactly what I designed, and it came before the promised date."),
    (9, "Great fit; I watched it being made."),
    (8, "Good, though the parcel took a day longer than I hoped."),
    (7, "Fine, nothing special."),
    (5, "The colour was a shade off what the preview showed."),
    (2, "Arrived late and I had to ask twice."),
)
WEIGHTS = (30, 30, 15, 10, 10, 5)


@dataclass
class Shoppers:
    db: Database
    payments: TestPaymentProvider
    customers: list[Actor]
    per_minute: float
    promise: PromiseSource | None = None  # the live plan's say, as at a real checkout
    seed: int = 0
    placed: int = 0

    def run(self, stop: threading.Event) -> None:
        rng = random.Random(self.seed)  # noqa: S311 (simulated customers, not secrecy)
        while not stop.wait(rng.expovariate(self.per_minute / 60)):
            try:
                self.shop(rng)
                self.answer(rng)
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

    def answer(self, rng: random.Random) -> str | None:
        """A customer whose order arrived answers the question after delivery; the order's id."""
        actors = {customer.user_id: customer for customer in self.customers}
        query = (
            select(Order.id, Order.customer_id)
            .outerjoin(Feedback, Feedback.order_id == Order.id)
            .where(
                Order.customer_id.in_(actors),
                Order.state == OrderState.DELIVERED,
                Feedback.id.is_(None),
            )
            .order_by(Order.updated_at.desc())
            .limit(20)
        )
        with self.db.read() as session:
            unanswered = session.execute(query).all()
        willing = [row for row in unanswered if will_answer(row.id)]
        if not willing:
            return None
        order_id, customer_id = willing[0]
        score, comment = rng.choices(ANSWERS, WEIGHTS)[0]
        with self.db.write() as session:
            rating = Rating(score=score, comment=comment)
            feedback.rate(session, actors[customer_id], order_id, rating)
        return str(order_id)

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
            return partial(
                placement.prepare_design_order,
                actor=customer,
                design_id=design.id,
                promise=self.promise,
            )
        line = NewLine(product_id=rng.choice(products), quantity=rng.randint(1, 3))
        return partial(placement.prepare_order, actor=customer, data=NewOrder(lines=[line]))


def will_answer(order_id: str) -> bool:
    """Whether the customer of an order answers at all: decided once per order."""
    return random.Random(order_id).random() < ANSWERING  # noqa: S311 (a simulated habit)
