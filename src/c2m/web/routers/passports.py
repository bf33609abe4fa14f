"""The keys that sign the platform's passports, published as its did:web document."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from c2m.domains.traceability.keys import KeyRing, did_web
from c2m.web.auth import platform_of

router = APIRouter(include_in_schema=False)


@router.get("/.well-known/did.json")
def did_document(request: Request) -> dict[str, Any]:
    """Every signing key, current and retired, so any passport the platform issued verifies."""
    settings = platform_of(request).settings
    return KeyRing.open(settings.data_dir).did_document(did_web(settings.base_url))
