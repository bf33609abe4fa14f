"""Circles: who may see and do what, demands, comments, votes, follows and moderation.

A public circle is read by anyone; a members-only circle shows its title to everyone and its
content only to those who joined (and to the micro-enterprise): to others it is a 404. Taking
part (demands, comments, votes, follows) needs joining; moderation is for the enterprise's owners.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from c2m.domains.catalog import templates
from c2m.domains.circles.models import (
    Circle,
    CircleMember,
    Comment,
    Demand,
    Proposal,
    Reaction,
    ReactionKind,
    Visibility,
)
from c2m.domains.circles.pseudonyms import pseudonyms
from c2m.domains.circles.schemas import (
    CircleOut,
    CommentOut,
    DemandOut,
    NewCircle,
    NewComment,
    NewDemand,
    ReactionOut,
)
from c2m.domains.platform.actor import Actor
from c2m.engines.configurator import wish_problems
from c2m.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound


def _unknown() -> NotFound:
    return NotFound("There is no such circle, or it is for its members only.")


def is_member(session: Session, actor: Actor | None, circle: Circle) -> bool:
    if actor is None:
        return False
    query = select(CircleMember.id).where(
        CircleMember.circle_id == circle.id, CircleMember.user_id == actor.user_id
    )
    return session.scalar(query) is not None


def can_read(session: Session, actor: Actor | None, circle: Circle) -> bool:
    """Whether ``actor`` sees what is inside the circle."""
    if circle.visibility is Visibility.PUBLIC:
        return True
    if actor is not None and actor.is_member_of(circle.enterprise_id):
        return True
    return is_member(session, actor, circle)


def load_circle(
    session: Session, actor: Actor | None, circle_id: str, *, inside: bool = True
) -> Circle:
    """The circle; with ``inside`` only for those who may read its content (others get 404)."""
    circle = session.get(Circle, circle_id)
    if circle is None or (inside and not can_read(session, actor, circle)):
        raise _unknown()
    return circle


def owned_circle(session: Session, actor: Actor, circle_id: str) -> Circle:
    """A circle its micro-enterprise's owners run; anyone else who can see it gets 403."""
    circle = load_circle(session, actor, circle_id)
    actor.require_owner_of(circle.enterprise_id)
    return circle


def joined_circle(session: Session, actor: Actor, circle_id: str, *, adding: bool = True) -> Circle:
    """A circle the actor has joined; open for new content when ``adding``."""
    circle = load_circle(session, actor, circle_id)
    if not is_member(session, actor, circle):
        raise Forbidden("Join the circle first to take part in it.")
    if adding and circle.locked:
        raise Conflict("The circle is locked by its owners: nothing new can be added.")
    return circle


def create_circle(session: Session, actor: Actor, enterprise_id: str, data: NewCircle) -> Circle:
    """A circle around one of the enterprise's published templates (owners only)."""
    actor.require_member_of(enterprise_id)
    actor.require_owner_of(enterprise_id)
    template = templates.load(session, actor, data.template_id).template
    if template.enterprise_id != enterprise_id or not template.published:
        raise NotFound("There is no such published template in this micro-enterprise.")
    circle = Circle(
        enterprise_id=enterprise_id,
        template_id=template.id,
        title=data.title,
        description=data.description,
        visibility=data.visibility,
        created_by=actor.user_id,
    )
    session.add(circle)
    session.flush()
    return circle


def list_circles(session: Session) -> list[Circle]:
    """Every circle, newest first: titles are public, content depends on visibility."""
    return list(session.scalars(select(Circle).order_by(Circle.created_at.desc(), Circle.id)))


def circle_out(session: Session, actor: Actor | None, circle: Circle) -> CircleOut:
    members = session.scalar(
        select(func.count()).select_from(CircleMember).where(CircleMember.circle_id == circle.id)
    )
    return CircleOut(
        id=circle.id,
        enterprise_id=circle.enterprise_id,
        template_id=circle.template_id,
        title=circle.title,
        description=circle.description,
        visibility=circle.visibility,
        locked=circle.locked,
        members=members or 0,
        is_member=is_member(session, actor, circle),
        is_owner=actor is not None and actor.is_owner_of(circle.enterprise_id),
        created_at=circle.created_at,
    )


def join(session: Session, actor: Actor, circle_id: str) -> Circle:
    """Join (again: nothing changes). Members-only circles are joined from their listing."""
    circle = load_circle(session, actor, circle_id, inside=False)
    if not is_member(session, actor, circle):
        if circle.locked:
            raise Conflict("The circle is locked by its owners: it takes no new members.")
        session.add(CircleMember(circle_id=circle.id, user_id=actor.user_id))
        flush_unique(session, "You are already a member of this circle.")
    return circle


def leave(session: Session, actor: Actor, circle_id: str) -> None:
    circle = load_circle(session, actor, circle_id, inside=False)
    member = session.scalar(
        select(CircleMember).where(
            CircleMember.circle_id == circle.id, CircleMember.user_id == actor.user_id
        )
    )
    if member is not None:
        session.delete(member)
        session.flush()


def post_demand(session: Session, actor: Actor, circle_id: str, data: NewDemand) -> Demand:
    """Store what a member asks for; every given option must be one the template can make."""
    circle = joined_circle(session, actor, circle_id)
    compiled = templates.load(session, actor, circle.template_id).compiled
    problems = wish_problems(compiled, data.configuration)
    if problems:
        raise InvalidInput(
            "The demand cannot be pooled: " + "; ".join(problems) + ".",
            errors=[{"loc": ["configuration"], "msg": p} for p in problems],
        )
    demand = Demand(
        circle_id=circle.id,
        author_id=actor.user_id,
        configuration=dict(data.configuration),
        words=data.words,
    )
    session.add(demand)
    session.flush()
    return demand


@dataclass(frozen=True)
class Tally:
    """Votes and followers per item of a circle, and the reactions of one person."""

    counts: Counter[tuple[str, ReactionKind]]
    mine: set[tuple[str, ReactionKind]]

    def votes(self, item_id: str) -> int:
        return self.counts[(item_id, ReactionKind.VOTE)]

    def followers(self, item_id: str) -> int:
        return self.counts[(item_id, ReactionKind.FOLLOW)]


def tally(session: Session, actor: Actor | None, circle_id: str) -> Tally:
    rows = session.execute(
        select(Reaction.item_id, Reaction.kind, Reaction.user_id).where(
            Reaction.circle_id == circle_id
        )
    ).all()
    user = actor.user_id if actor is not None else None
    return Tally(
        Counter((item, kind) for item, kind, _ in rows),
        {(item, kind) for item, kind, who in rows if who == user},
    )


def visible_demands(session: Session, circle: Circle, *, with_hidden: bool) -> list[Demand]:
    query = select(Demand).where(Demand.circle_id == circle.id)
    if not with_hidden:
        query = query.where(Demand.hidden.is_(False))
    return list(session.scalars(query.order_by(Demand.created_at, Demand.id)))


PictureUrl = Callable[[str, str], str]
"""Where the picture of a circle's demand is served (circle id, demand id): the web decides."""


def list_demands(
    session: Session, actor: Actor | None, circle_id: str, picture_url: PictureUrl
) -> list[DemandOut]:
    """The circle's demands with their votes; hidden ones only for the owners."""
    circle = load_circle(session, actor, circle_id)
    owner = actor is not None and actor.is_owner_of(circle.enterprise_id)
    demands = visible_demands(session, circle, with_hidden=owner)
    counts = tally(session, actor, circle.id)
    author = pseudonyms(session, circle.id, actor)
    return [
        DemandOut(
            id=d.id,
            author=author(d.author_id),
            mine=actor is not None and d.author_id == actor.user_id,
            configuration=d.configuration,
            words=d.words,
            picture_url=picture_url(circle.id, d.id) if d.picture else None,
            hidden=d.hidden,
            votes=counts.votes(d.id),
            followers=counts.followers(d.id),
            voted=(d.id, ReactionKind.VOTE) in counts.mine,
            followed=(d.id, ReactionKind.FOLLOW) in counts.mine,
            created_at=d.created_at,
        )
        for d in demands
    ]


def _item(session: Session, circle: Circle, item_id: str) -> Demand | Proposal | None:
    item = session.get(Demand, item_id) or session.get(Proposal, item_id)
    return item if item is not None and item.circle_id == circle.id else None


def _visible_item(session: Session, circle: Circle, item_id: str) -> Demand | Proposal:
    """A demand or proposal others may react to: hidden ones are gone for them."""
    item = _item(session, circle, item_id)
    if item is None or item.hidden:
        raise NotFound("There is no such demand or proposal in this circle.")
    return item


def flush_unique(session: Session, message: str) -> None:
    """Flush; a unique key broken by this change (or by a concurrent one) is a 409."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(message) from exc


def react(
    session: Session, actor: Actor, circle_id: str, item_id: str, kind: ReactionKind
) -> ReactionOut:
    """One vote (or follow) per person and item, enforced by the database."""
    circle = joined_circle(session, actor, circle_id)
    item = _visible_item(session, circle, item_id)
    session.add(Reaction(circle_id=circle.id, item_id=item.id, kind=kind, user_id=actor.user_id))
    flush_unique(session, f"You already gave this a {kind.value}; it counts once.")
    return reaction_out(session, actor, circle.id, item.id)


def unreact(
    session: Session, actor: Actor, circle_id: str, item_id: str, kind: ReactionKind
) -> ReactionOut:
    circle = joined_circle(session, actor, circle_id)
    item = _visible_item(session, circle, item_id)
    mine = session.scalar(
        select(Reaction).where(
            Reaction.item_id == item.id, Reaction.kind == kind, Reaction.user_id == actor.user_id
        )
    )
    if mine is None:
        raise NotFound(f"You have not given this a {kind.value}.")
    session.delete(mine)
    session.flush()
    return reaction_out(session, actor, circle.id, item.id)


def reaction_out(session: Session, actor: Actor, circle_id: str, item_id: str) -> ReactionOut:
    counts = tally(session, actor, circle_id)
    return ReactionOut(
        item_id=item_id, votes=counts.votes(item_id), followers=counts.followers(item_id)
    )


def comment(
    session: Session, actor: Actor, circle_id: str, item_id: str, data: NewComment
) -> CommentOut:
    circle = joined_circle(session, actor, circle_id)
    item = _visible_item(session, circle, item_id)
    row = Comment(circle_id=circle.id, item_id=item.id, author_id=actor.user_id, text=data.text)
    session.add(row)
    session.flush()
    return CommentOut(
        id=row.id,
        item_id=item.id,
        author=actor.name,
        text=row.text,
        hidden=False,
        created_at=row.created_at,
    )


def list_comments(session: Session, actor: Actor | None, circle_id: str) -> list[CommentOut]:
    """Every comment of the circle, oldest first; hidden ones only for the owners."""
    circle = load_circle(session, actor, circle_id)
    query = select(Comment).where(Comment.circle_id == circle.id)
    if actor is None or not actor.is_owner_of(circle.enterprise_id):
        query = query.where(Comment.hidden.is_(False))
    rows = list(session.scalars(query.order_by(Comment.created_at, Comment.id)))
    author = pseudonyms(session, circle.id, actor)
    return [
        CommentOut(
            id=row.id,
            item_id=row.item_id,
            author=author(row.author_id),
            text=row.text,
            hidden=row.hidden,
            created_at=row.created_at,
        )
        for row in rows
    ]


def hide(session: Session, actor: Actor, circle_id: str, item_id: str, hidden: bool) -> None:
    """Hide (or show again) a demand, proposal or comment: owners only."""
    circle = owned_circle(session, actor, circle_id)
    item = _item(session, circle, item_id)
    found = item if item is not None else session.get(Comment, item_id)
    if found is None or found.circle_id != circle.id:
        raise NotFound("There is no such demand, proposal or comment in this circle.")
    found.hidden = hidden
    session.flush()


def lock(session: Session, actor: Actor, circle_id: str, locked: bool) -> Circle:
    """A locked circle keeps everything but takes nothing new: owners only."""
    circle = owned_circle(session, actor, circle_id)
    circle.locked = locked
    session.flush()
    return circle
