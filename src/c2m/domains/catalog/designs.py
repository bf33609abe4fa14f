"""Saved designs: a user's named configuration of one template version, shared and ordered.

A design keeps its version, so a later edit of the template never changes what was designed;
ordering one is the orders domain's business (``orders.placement.prepare_design_order``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.catalog import templates
from c2m.domains.catalog.models import Design
from c2m.domains.catalog.schemas import NewDesign
from c2m.domains.platform.actor import Actor
from c2m.kernel.errors import NotFound
from c2m.kernel.ids import new_secret
from c2m.kernel.signing import Signer


def save_design(session: Session, actor: Actor, data: NewDesign) -> Design:
    """Store the design completed to a valid configuration (refused with the rules if none)."""
    loaded = templates.load(session, actor, data.template_id, data.version)
    result = templates.priced(loaded.compiled, data.configuration, data.quantity)
    design = Design(
        owner_id=actor.user_id,
        template_id=loaded.template.id,
        version=loaded.row.version,
        name=data.name,
        configuration=result.configuration,
        quantity=data.quantity,
    )
    session.add(design)
    session.flush()
    return design


def list_designs(session: Session, actor: Actor) -> list[Design]:
    query = select(Design).where(Design.owner_id == actor.user_id)
    return list(session.scalars(query.order_by(Design.created_at.desc(), Design.id)))


def load_design(session: Session, actor: Actor, design_id: str) -> Design:
    """The actor's own design; anyone else's is answered as if it did not exist."""
    design = session.get(Design, design_id)
    if design is None or design.owner_id != actor.user_id:
        raise NotFound("There is no such design, or it is not yours.")
    return design


def share_token(session: Session, actor: Actor, design_id: str, signer: Signer) -> str:
    """A link token that opens the design for anyone holding it (read and copy, not change)."""
    design = load_design(session, actor, design_id)
    if design.share_key is None:
        design.share_key = new_secret(16)
        session.flush()
    return token_of(design, signer)


def token_of(design: Design, signer: Signer) -> str:
    """The token of a design that has been shared (it has a share key)."""
    return signer.sign({"d": design.id, "k": design.share_key})


def shared_design(session: Session, token: str, signer: Signer) -> Design:
    payload = signer.unsign(token)
    design = session.get(Design, payload.get("d")) if payload else None
    if design is None or payload is None or design.share_key != payload.get("k"):
        raise NotFound("This design link is not valid; ask the owner for a new one.")
    return design
