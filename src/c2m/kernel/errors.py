"""Errors a use case can raise; the web layer turns each into problem+json, the CLI into exit 2.

Each carries a sentence for a person (``detail``) and the HTTP status it maps to, so every entry
point reports the same failure the same way.
"""

from __future__ import annotations

from typing import Any, ClassVar


class C2MError(Exception):
    """Base of all expected failures: bad input, missing objects, conflicts, refusals."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(C2MError):
    status = 422
    title = "Invalid input"


class NotAuthenticated(C2MError):
    status = 401
    title = "Not signed in"


class Forbidden(C2MError):
    status = 403
    title = "Forbidden"


class NotFound(C2MError):
    status = 404
    title = "Not found"


class Conflict(C2MError):
    status = 409
    title = "Conflict"


class PayloadTooLarge(C2MError):
    status = 413
    title = "Payload too large"


_FRIENDLY: dict[str, str] = {
    "extra_forbidden": "is not a field we know",
    "missing": "is required",
    "json_invalid": "is not valid JSON",
}


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) if parts else "the body"


def describe_validation(errors: list[Any]) -> str:
    """One sentence naming each wrong field of a pydantic error list."""
    phrases = []
    for error in errors[:5]:
        message = _FRIENDLY.get(error["type"], error.get("msg", "is not valid"))
        phrases.append(f"{_where(tuple(error.get('loc', ())))} {message}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "The request is not valid: " + "; ".join(phrases) + more + "."
