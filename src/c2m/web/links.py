"""Signed links for people without an account: one way to make them, for orders and designs."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from c2m.bootstrap import Platform
from c2m.domains.orders.schemas import ShareLink
from c2m.domains.platform.actor import Actor
from c2m.web.auth import platform_of
from c2m.web.idempotent import respond_once


def public_url(platform: Platform, path: str) -> str:
    """An absolute link on this site, e.g. for a share link someone sends by chat."""
    return platform.settings.base_url.rstrip("/") + path


def create_share_link(
    request: Request,
    actor: Actor,
    idempotency_key: str | None,
    prefix: str,
    make_token: Callable[[Session, Platform], str],
) -> JSONResponse:
    """Answer 201 with the link ``prefix/<token>``, honouring an Idempotency-Key."""
    platform = platform_of(request)
    with platform.db.write() as session:

        def create() -> tuple[int, object]:
            token = make_token(session, platform)
            url = public_url(platform, f"{prefix}/{token}")
            return 201, ShareLink(url=url, token=token).model_dump()

        return respond_once(session, request, actor, None, idempotency_key, create)
