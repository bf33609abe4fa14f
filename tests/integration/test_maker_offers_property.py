"""Property of the stored offer flow (issue 15): whatever the job, every maker considered has a
stored reason, a job is only ever offered to ranked makers and in their rank order, and once
every ranked maker has declined the job is unplaced."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from c2m.bootstrap import Platform
from c2m.domains.makers import machines, offers, service
from c2m.domains.makers.candidates import candidates
from c2m.domains.makers.models import MakerOffer, MakerProfile, RoutingReason
from c2m.domains.makers.offer_schemas import NewRoutedJob
from c2m.domains.makers.schemas import NewMaker, NewMakerMachine
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.models import User
from c2m.kernel.clock import utcnow
from tests.conftest import World, add_person, refresh

#: (name, material, colour, build side mm, price per hour, suspended)
FLEET = (
    ("Black PLA", "PLA", "black", 250.0, 150, False),
    ("Black PLA dear", "PLA", "black", 300.0, 400, False),
    ("White PLA", "PLA", "white", 250.0, 100, False),
    ("Black PETG", "PETG", "black", 250.0, 120, False),
    ("Tiny bed", "PLA", "black", 60.0, 90, False),
    ("Suspended", "PLA", "black", 250.0, 80, True),
)

jobs = st.builds(
    dict,
    material=st.sampled_from(["PLA", "PLA", "PETG"]),
    colour=st.sampled_from(["black", "black", "white"]),
    side=st.floats(10, 170),
    hours=st.floats(0.5, 4.5),
    days=st.integers(1, 10),
    country=st.sampled_from(["DE", "FR", "ES", "IS"]),
    declines=st.integers(0, 6),
)


def _fleet(platform: Platform, world: World) -> None:
    for n, (name, material, colour, side, rate, suspended) in enumerate(FLEET):
        person = add_person(platform, f"fleet{n}") if n else world.alice
        with platform.db.write() as session:
            profile = service.join(session, person.actor, NewMaker(display_name=name, country="DE"))
            profile.suspended = suspended
        machine = NewMakerMachine(
            code="printer",
            capabilities=["fdm-print"],
            material=material,
            colour=colour,
            build_volume={"x_mm": side, "y_mm": side, "z_mm": side},
            hourly_rate=rate,
        )
        with platform.db.write() as session:
            machines.add(session, refresh(platform, person).actor, machine)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=jobs)
def test_offers_go_only_to_ranked_makers_in_order_and_reasons_cover_everyone(
    platform: Platform, world: World, spec: dict[str, object]
) -> None:
    with platform.db.read() as session:
        if not candidates(session):
            _fleet(platform, world)
    side = float(str(spec["side"]))
    now = utcnow()
    data = NewRoutedJob(
        title="Part",
        capability="fdm-print",
        material=str(spec["material"]),
        colour=str(spec["colour"]),
        size={"x_mm": side, "y_mm": side, "z_mm": side},
        tolerance_mm=0.3,
        machine_hours=float(str(spec["hours"])),
        volume_cm3=10,
        customer_country=str(spec["country"]),
        due_at=now + timedelta(days=int(str(spec["days"]))),
    )
    with platform.db.write() as session:
        job = offers.create_job(session, world.owner.actor, data, now)
        everyone = {m.maker_id for m in candidates(session)}
        for _ in range(int(str(spec["declines"]))):
            open_ = session.scalar(
                select(MakerOffer).where(MakerOffer.job_id == job.id, MakerOffer.state == "offered")
            )
            if open_ is None:
                break
            profile = session.get(MakerProfile, open_.maker_id)
            maker = session.get(User, profile.user_id) if profile else None
            assert maker is not None
            offers.decline_offer(session, Actor.of(maker), open_.id, "busy", now)
        reasons = {
            r.maker_id: r
            for r in session.scalars(select(RoutingReason).where(RoutingReason.job_id == job.id))
        }
        made = session.scalars(
            select(MakerOffer).where(MakerOffer.job_id == job.id).order_by(MakerOffer.offered_at)
        ).all()
        assert set(reasons) == everyone
        event(f"{sum(r.rank is not None for r in reasons.values())} makers ranked")
        ranked = sorted((r for r in reasons.values() if r.rank is not None), key=lambda r: r.rank)
        assert [o.maker_id for o in made] == [r.maker_id for r in ranked][: len(made)]
        suspended = next(m for m in candidates(session) if m.display_name == "Suspended")
        assert reasons[suspended.maker_id].rank is None
        if all(o.state == "declined" for o in made) and len(made) == len(ranked):
            assert job.state == "unplaced"
