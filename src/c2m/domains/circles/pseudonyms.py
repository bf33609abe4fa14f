"""How circle members appear to one another: a demand holds body measurements and a comment
personal words, so others are shown as "Member 3", never by name; a person sees their own as
theirs. Numbers follow each member's first demand or comment in the circle (hidden ones too), so
they stay the same when someone leaves or a moderator hides something.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, union_all
from sqlalchemy.orm import Session

from c2m.domains.circles.models import Comment, Demand
from c2m.domains.platform.actor import Actor


@dataclass(frozen=True)
class Pseudonyms:
    """Who wrote what, as ``viewer`` may see it."""

    numbers: dict[str, int]
    viewer: Actor | None

    def __call__(self, author_id: str) -> str:
        if self.viewer is not None and author_id == self.viewer.user_id:
            return self.viewer.name
        return f"Member {self.numbers[author_id]}"


def pseudonyms(session: Session, circle_id: str, viewer: Actor | None) -> Pseudonyms:
    """The circle's authors numbered from 1 in the order they first took part."""
    demands = select(Demand.author_id, Demand.created_at, Demand.id).where(
        Demand.circle_id == circle_id
    )
    comments = select(Comment.author_id, Comment.created_at, Comment.id).where(
        Comment.circle_id == circle_id
    )
    both = union_all(demands, comments).subquery()
    ordered = select(both.c.author_id).order_by(both.c.created_at, both.c.id)
    numbers: dict[str, int] = {}
    for author_id in session.scalars(ordered):
        numbers.setdefault(author_id, len(numbers) + 1)
    return Pseudonyms(numbers, viewer)
