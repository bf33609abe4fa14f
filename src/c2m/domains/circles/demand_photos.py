"""A picture with a demand: PNG or JPEG, told by its content (never by a name or a header)."""

from __future__ import annotations

import warnings
from io import BytesIO

from sqlalchemy.orm import Session

from c2m.domains.circles import service
from c2m.domains.circles.models import Demand
from c2m.domains.platform.actor import Actor
from c2m.kernel.errors import InvalidInput, NotFound

MAX_BYTES = 900_000  # under the body limit, so the API's own 413 never hides this message
MAX_PIXELS = 4096 * 4096
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def media_type_of(data: bytes) -> str:
    """The picture's media type; 422 for anything that is not a whole, sane PNG or JPEG."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            f"The picture is larger than {MAX_BYTES // 1000} kB; send a smaller one."
        )
    from PIL import Image, UnidentifiedImageError  # loaded by the first picture, not at start

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning) as exc:
        raise InvalidInput("The picture is not a PNG or JPEG image we can read.") from exc
    if kind not in MEDIA_TYPES:
        raise InvalidInput(f"The picture is {kind}; send a PNG or JPEG image.")
    if width * height > MAX_PIXELS:
        raise InvalidInput("The picture has too many pixels; send one of at most 4096 x 4096.")
    return MEDIA_TYPES[kind]


def _own_demand(session: Session, actor: Actor, circle_id: str, demand_id: str) -> Demand:
    circle = service.joined_circle(session, actor, circle_id)
    demand = session.get(Demand, demand_id)
    if demand is None or demand.circle_id != circle.id or demand.hidden:
        raise NotFound("There is no such demand in this circle.")
    if demand.author_id != actor.user_id:
        raise NotFound("There is no such demand of yours in this circle.")
    return demand


def attach(session: Session, actor: Actor, circle_id: str, demand_id: str, media_type: str) -> None:
    _own_demand(session, actor, circle_id, demand_id).picture = media_type
    session.flush()


def picture_of(session: Session, actor: Actor | None, circle_id: str, demand_id: str) -> Demand:
    """A demand's picture for whoever may read the circle (hidden demands: owners only)."""
    circle = service.load_circle(session, actor, circle_id)
    demand = session.get(Demand, demand_id)
    owner = actor is not None and actor.is_owner_of(circle.enterprise_id)
    if demand is None or demand.circle_id != circle.id or demand.picture is None:
        raise NotFound("This demand has no picture.")
    if demand.hidden and not owner:
        raise NotFound("This demand has no picture.")
    return demand
