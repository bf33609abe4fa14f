"""Demo data: who can log in to a fresh ``c2m demo`` and what they can order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.demo.factory import HOURLY_RATES, demo_factory
from c2m.demo.stores import seed_stores
from c2m.demo.templates import DEMO_TEMPLATES
from c2m.domains.catalog import templates
from c2m.domains.catalog.models import Product
from c2m.domains.catalog.schemas import NewTemplate, TemplateDefinition
from c2m.domains.circles import service as circles
from c2m.domains.circles.schemas import NewCircle, NewDemand
from c2m.domains.factory.models import Machine
from c2m.domains.factory.service import register_plant
from c2m.domains.platform import service as accounts
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import Enterprise, User
from c2m.domains.platform.schemas import SignUp
from c2m.domains.platform.security import hash_password
from c2m.domains.quoting.quoters import open_quoting
from c2m.kernel.clock import utcnow
from c2m.kernel.ids import new_secret


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
SHOPPER_NAMES = (
    "Ana Costa", "Ben Okafor", "Chen Wei", "Dara Byrne", "Elif Demir", "Femi Adeyemi",
    "Greta Lind", "Hugo Martin", "Ines Ferreira", "Jonas Berg", "Kira Sato", "Liam Walsh",
    "Maya Cohen", "Nils Eriksen", "Olga Petrova", "Pablo Ruiz", "Quinn Harper", "Rosa Bianchi",
    "Sami Haddad", "Tara Singh", "Uma Patel", "Viktor Novak", "Wen Li", "Yara Haddad",
)  # fmt: skip
"""The simulated customers of ``c2m demo``, each an account of their own."""

WORKSHOP = "northwind"  # the slug of the demo's micro-enterprise, which runs the plant


def shopper_email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@shoppers.c2m.example"


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
    workshop = accounts.create_enterprise(session, "Northwind Workshop", WORKSHOP, maker)
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
    created = {
        template.key: templates.create_template(
            session,
            Actor.of(maker),
            workshop.id,
            NewTemplate(definition=TemplateDefinition.of(template), published=True),
        )
        for template in DEMO_TEMPLATES
    }
    _seed_circle(session, Actor.of(maker), workshop.id, created["shirt"].template.id, users[2:])
    return True


#: What the demo's customers first ask of the shirt circle.
DEMO_DEMANDS = (
    ({"chest": 1040, "waist": 920, "sleeve": 640, "neck": 400}, "Long arms, slim build."),
    ({"chest": 1120, "waist": 1010, "neck": 415, "collar": "button-down"}, "Button-down please."),
)


def _seed_circle(
    session: Session, owner: Actor, enterprise_id: str, template_id: str, members: list[User]
) -> None:
    """A circle around the made-to-measure shirt, with a first demand from each customer."""
    intro = NewCircle(
        template_id=template_id,
        title="Shirts that fit",
        description="Tell us your measurements: we pool them into a few shirts that fit most.",
    )
    circle = circles.create_circle(session, owner, enterprise_id, intro)
    for member, (configuration, words) in zip(members, DEMO_DEMANDS, strict=True):
        actor = Actor.of(member)
        circles.join(session, actor, circle.id)
        circles.post_demand(
            session, actor, circle.id, NewDemand(configuration=configuration, words=words)
        )


def seed_demo_shoppers(session: Session) -> list[User]:
    """The simulated customers (added if missing), so a person trying the demo as Alice sees
    only her own orders; nobody knows their password, so nobody logs in as one."""
    emails = {shopper_email(name): name for name in SHOPPER_NAMES}
    known = set(session.scalars(select(User.email).where(User.email.in_(emails))))
    if len(known) < len(emails):
        unusable = hash_password(new_secret())  # once: a hash costs about a second
        for email, name in emails.items():
            if email not in known:
                session.add(User(email=email, name=name, password_hash=unusable))
        session.flush()
    return list(session.scalars(select(User).where(User.email.in_(emails))))


def seed_demo_factory(session: Session) -> None:
    """Northwind's plant: the digital twin's machines (added if missing, so older demo data gets
    them too), at their hourly rates unless someone has set one."""
    workshop = session.scalar(select(Enterprise).where(Enterprise.slug == WORKSHOP))
    if workshop is None:
        return
    factory = register_plant(session, workshop.id, demo_factory())
    unpriced = select(Machine).where(Machine.factory_id == factory.id, Machine.hourly_rate == 0)
    for machine in session.scalars(unpriced):
        machine.hourly_rate = HOURLY_RATES.get(machine.code.split("-")[0], 0)
    seed_stores(session, workshop.id, factory.id, utcnow())
