"""What a token may do: scopes, from which every API operation declares the one it needs.

A browser session and a personal token made without scopes hold every scope, bounded as always
by the person's roles (a scope never grants what the person may not do). A write scope includes
its read scope. Public reads (the catalog, published templates, circles) need no scope.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from c2m.kernel.errors import InvalidInput


class Scope(enum.StrEnum):
    ACCOUNT = "account"
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    CATALOG_WRITE = "catalog:write"
    QUOTES_READ = "quotes:read"
    QUOTES_WRITE = "quotes:write"
    CIRCLES_WRITE = "circles:write"
    MACHINES = "machines"
    MAKERS = "makers"
    LEDGER_READ = "ledger:read"
    INSIGHTS_READ = "insights:read"
    ENTERPRISES_ADMIN = "enterprises:admin"
    WEBHOOKS = "webhooks"


DESCRIPTIONS: dict[Scope, str] = {
    Scope.ACCOUNT: "who the token belongs to; its person's tokens and service clients",
    Scope.ORDERS_READ: "orders, their timelines and feedback",
    Scope.ORDERS_WRITE: "place, pay, cancel, refund, advance and share orders; rate them",
    Scope.CATALOG_WRITE: "products, product templates and saved designs",
    Scope.QUOTES_READ: "uploads, quotes, requests for quote and quoting tables",
    Scope.QUOTES_WRITE: "upload parts, get quotes, order them, ask and answer requests",
    Scope.CIRCLES_WRITE: "create and join circles, post demands, comment, vote; aggregate, batch",
    Scope.MACHINES: "factories, machines, their secrets, stock and the factory floor",
    Scope.MAKERS: "a maker's profile and printers; for the platform owner, suspending makers",
    Scope.LEDGER_READ: "statements, postings and earnings",
    Scope.INSIGHTS_READ: "the scorecard",
    Scope.ENTERPRISES_ADMIN: "enterprise applications, members, roles and invitations",
    Scope.WEBHOOKS: "webhook subscriptions, their deliveries and replays",
}

_INCLUDES: dict[Scope, Scope] = {
    Scope.ORDERS_WRITE: Scope.ORDERS_READ,
    Scope.QUOTES_WRITE: Scope.QUOTES_READ,
}

Scopes = frozenset[Scope]


def grants(held: Scopes | None, wanted: Scope) -> bool:
    """Whether scopes ``held`` (None: every scope) allow an operation that needs ``wanted``."""
    return held is None or wanted in held or any(_INCLUDES.get(s) is wanted for s in held)


def parse(names: Iterable[str]) -> Scopes:
    """Scopes from their names, refusing unknown ones with the list of known ones."""
    wanted = {name.strip() for name in names if name.strip()}
    unknown = sorted(wanted - {scope.value for scope in Scope})
    if unknown:
        known = ", ".join(scope.value for scope in Scope)
        raise InvalidInput(f"Unknown scope {', '.join(unknown)}; the scopes are: {known}.")
    return frozenset(Scope(name) for name in wanted)


def stored(scopes: Scopes | None) -> str | None:
    """Scopes as a token row keeps them: space-separated, sorted; None for every scope."""
    return None if scopes is None else " ".join(sorted(scopes))


def loaded(text: str | None) -> Scopes | None:
    return None if text is None else frozenset(Scope(name) for name in text.split())


def within(asked: Scopes | None, held: Scopes | None) -> Scopes | None:
    """``asked`` if ``held`` covers all of it (a token cannot mint a stronger one)."""
    if held is None or asked is None:
        return held if asked is None else asked
    wider = sorted(s for s in asked if not grants(held, s))
    if wider:
        raise InvalidInput(
            f"A token can only be given scopes its maker holds; yours lacks {', '.join(wider)}."
        )
    return asked
