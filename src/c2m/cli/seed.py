"""Demo data: who can log in to a fresh ``c2m demo`` and what they can order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog import templates
from c2m.domains.catalog.models import Product
from c2m.domains.catalog.schemas import NewTemplate, TemplateDefinition
from c2m.domains.factory.service import register_plant
from c2m.domains.platform import service as accounts
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import Enterprise, User
from c2m.domains.platform.schemas import SignUp
from c2m.domains.quoting.services import open_quoting
from c2m.engines.configurator.demo_templates import DEMO_TEMPLATES
from c2m.engines.simulation import demo_factory


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    email: str
    password: str


DEMO_LOGINS = (
    DemoLogin("platform owner", "Olivia Owner", "owner@c2m.example", "owner-demo-password"),
    DemoLogin(
        "micro-enterprise owner (also a maker)",
        "Max Maker",
        "maker@c2m.example",
        "maker-demo-password",
    ),
    DemoLogin("user", "Alice Ng", "alice@c2m.example", "alice-demo-password"),
    DemoLogin("user", "Bob Silva", "bob@c2m.example", "bob-demo-password"),
)
DEMO_PRODUCT_SLUG = "desk-organiser"


def seed_demo(session: Session) -> bool:
    """Create the demo people, micro-enterprise, product and templates; False if already there."""
    if session.scalar(select(User.id).limit(1)) is not None:
        return False
    users = [
        accounts.create_user(
            session,
            SignUp(email=login.email, name=login.name, password=login.password),
            is_platform_owner=login.role == "platform owner",
            is_maker=login.role.startswith("micro-enterprise owner"),
        )
        for login in DEMO_LOGINS
    ]
    maker = users[1]
    workshop = accounts.create_enterprise(session, "Northwind Workshop", "northwind", maker)
    session.add(
        Product(
            enterprise_id=workshop.id,
            slug=DEMO_PRODUCT_SLUG,
            name="Desk organiser",
            description="A birch-plywood desk organiser, cut and assembled to order.",
            unit_price=2400,
            currency="EUR",
        )
    )
    session.flush()
    open_quoting(session, workshop)
    session.refresh(maker)
    for template in DEMO_TEMPLATES:
        definition = TemplateDefinition.of(template)
        templates.create_template(
            session,
            Actor.of(maker),
            workshop.id,
            NewTemplate(definition=definition, published=True),
        )
    return True


def seed_demo_factory(session: Session) -> None:
    """Northwind's plant: the digital twin's machines (added if missing, so older demo data gets
    them too)."""
    workshop = session.scalar(select(Enterprise).where(Enterprise.slug == "northwind"))
    if workshop is not None:
        register_plant(session, workshop.id, demo_factory())
