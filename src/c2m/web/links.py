"""The site's URLs, built in one place: domains return ids and tokens, never paths."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from c2m.bootstrap import Platform
from c2m.domains.catalog import designs
from c2m.domains.catalog.models import Design
from c2m.domains.ledger.periods import Period
from c2m.domains.orders.models import Order
from c2m.domains.orders.schemas import ShareLink
from c2m.domains.orders.service import share_token_of


def public_url(platform: Platform, path: str) -> str:
    """An absolute link on this site, e.g. for a share link someone sends by chat."""
    return platform.settings.base_url.rstrip("/") + path


def order_page(order_id: str) -> str:
    return f"/orders/{order_id}"


def order_events(order_id: str) -> str:
    return f"/api/v1/orders/{order_id}/events"


def shared_order_events(token: str) -> str:
    return f"/api/v1/shared-orders/{token}/events"


def shared_order_page(token: str) -> str:
    return f"/s/{token}"


def shared_design_page(token: str) -> str:
    return f"/d/{token}"


def order_share_link(platform: Platform, token: str) -> ShareLink:
    """The link that shows an order's timeline to anyone holding it."""
    return ShareLink(url=public_url(platform, shared_order_page(token)), token=token)


def design_share_link(platform: Platform, token: str) -> ShareLink:
    """The link that opens a design in the configurator for anyone holding it."""
    return ShareLink(url=public_url(platform, shared_design_page(token)), token=token)


def shared_order(platform: Platform, order: Order) -> str:
    """The absolute share link of an order that has one."""
    return order_share_link(platform, share_token_of(order, platform.share_signer)).url


def shared_design(platform: Platform, design: Design) -> str:
    """The configurator link of a design that has been shared."""
    return shared_design_page(designs.token_of(design, platform.design_signer))


def invitation_page(token: str) -> str:
    return f"/join/{token}"


def team_page(enterprise_id: str) -> str:
    return f"/workshop/enterprises/{enterprise_id}/team"


def workshop_templates(enterprise_id: str) -> str:
    return f"/workshop/enterprises/{enterprise_id}/templates"


def workshop_template(template_id: str) -> str:
    return f"/workshop/templates/{template_id}"


def configure(template_id: str) -> str:
    return f"/configure/{template_id}"


def rfq_inbox(enterprise_id: str) -> str:
    return f"/workshop/enterprises/{enterprise_id}/rfqs"


def upload_thumbnail(upload_id: str) -> str:
    return f"/api/v1/uploads/{upload_id}/thumbnail"


def demand_picture(circle_id: str, demand_id: str) -> str:
    return f"/api/v1/circles/{circle_id}/demands/{demand_id}/picture"


def statement_page(enterprise_id: str) -> str:
    return f"/workshop/enterprises/{enterprise_id}/statement"


def _postings_query(accounts: Sequence[str], kinds: Sequence[str], period: Period) -> str:
    pairs = [("account", a) for a in accounts] + [("kind", k) for k in kinds]
    return urlencode(pairs) + "&" + period.query


def statement_postings(
    enterprise_id: str, accounts: Sequence[str], kinds: Sequence[str], period: Period
) -> str:
    """The API list of the postings a statement's figure sums."""
    query = _postings_query(accounts, kinds, period)
    return f"/api/v1/enterprises/{enterprise_id}/statements/postings?{query}"


def statement_postings_page(
    enterprise_id: str, accounts: Sequence[str], kinds: Sequence[str], period: Period
) -> str:
    query = _postings_query(accounts, kinds, period)
    return f"{statement_page(enterprise_id)}/postings?{query}"
