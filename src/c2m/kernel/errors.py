"""Errors a use case can raise; the web layer turns each into problem+json, the CLI into exit 2.

Each carries a sentence for a person (``detail``) and the HTTP status it maps to, so every entry
point reports the same failure the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from c2m.kernel.problem_types import ProblemCode
from c2m.kernel.schemas import MONTH


class C2MError(Exception):
    """Base of all expected failures: bad input, missing objects, conflicts, refusals."""

    status: ClassVar[int] = 400
    default_code: ClassVar[ProblemCode] = ProblemCode.BAD_REQUEST

    def __init__(self, detail: str, *, code: ProblemCode | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.extra = extra


class InvalidInput(C2MError):
    status = 422
    default_code = ProblemCode.INVALID_INPUT


class NotAuthenticated(C2MError):
    status = 401
    default_code = ProblemCode.NOT_AUTHENTICATED


class Forbidden(C2MError):
    status = 403
    default_code = ProblemCode.FORBIDDEN


class NotFound(C2MError):
    status = 404
    default_code = ProblemCode.NOT_FOUND


class Conflict(C2MError):
    status = 409
    default_code = ProblemCode.CONFLICT


class Gone(C2MError):
    status = 410
    default_code = ProblemCode.GONE


class PayloadTooLarge(C2MError):
    status = 413
    default_code = ProblemCode.PAYLOAD_TOO_LARGE


class TooManyRequests(C2MError):
    """A rate limit's budget is spent; ``retry_after`` (seconds) says until when."""

    status = 429
    default_code = ProblemCode.RATE_LIMITED


_FRIENDLY: dict[str, str] = {
    "extra_forbidden": "is not a field we know",
    "missing": "is required",
    "json_invalid": "is not valid JSON",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "string_type": "must be text",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "dict_type": "must be a JSON object",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "list_type": "must be a list",
    "string_pattern_mismatch": "contains characters that are not allowed",
}

# Patterns with a sentence of their own: "characters that are not allowed" would mislead.
_PATTERNS: dict[str, str] = {
    MONTH: "must be a month written as YYYY-MM, e.g. 2026-12",
    r"^[A-Z]{3}$": "must be a three-letter currency code such as EUR",
    r"^[a-z0-9][a-z0-9-]*$": "may hold only small letters, digits and hyphens",
}

# Messages that name a limit from the error's context.
_BOUNDED: dict[str, tuple[str, str]] = {
    "greater_than_equal": ("ge", "must be at least {}"),
    "greater_than": ("gt", "must be more than {}"),
    "less_than_equal": ("le", "must be at most {}"),
    "less_than": ("lt", "must be less than {}"),
    "string_too_short": ("min_length", "must be at least {} characters long"),
    "string_too_long": ("max_length", "must be at most {} characters long"),
    "too_short": ("min_length", "needs at least {} item(s)"),
    "too_long": ("max_length", "may have at most {} item(s)"),
    "literal_error": ("expected", "must be one of {}"),
    "enum": ("expected", "must be one of {}"),
}

_PLACES = {
    "query": "query parameter",
    "header": "header",
    "path": "address part",
    "cookie": "cookie",
}


def _where(loc: tuple[Any, ...]) -> str:
    if loc and loc[0] in _PLACES and len(loc) > 1:
        return f"the {_PLACES[loc[0]]} {loc[1]}"
    path = ""
    for part in loc:
        if part == "body":
            continue
        path += f"[{part}]" if isinstance(part, int) or str(part).isdigit() else f".{part}"
    return path.lstrip(".") or "the body"


def _phrase(error: Any) -> str:
    kind = error.get("type", "")
    bounded = _BOUNDED.get(kind)
    context = error.get("ctx") or {}
    if kind == "string_too_short" and context.get("min_length") == 1:
        return "cannot be empty"
    if bounded is not None and bounded[0] in context:
        limit = context[bounded[0]]
        return bounded[1].format(f"{limit:,}" if isinstance(limit, int) else limit)
    if kind == "string_pattern_mismatch" and context.get("pattern") in _PATTERNS:
        return _PATTERNS[context["pattern"]]
    if kind in _FRIENDLY:
        return _FRIENDLY[kind]
    if kind == "value_error":  # our own validators' sentences say what is wrong
        return "is not valid: " + str(error.get("msg", "")).removeprefix("Value error, ")
    message = str(error.get("msg") or "is not valid")
    return message[:1].lower() + message[1:]


def field_errors(errors: list[Any]) -> list[dict[str, Any]]:
    """Each error's place and what is wrong with it in words, for a form to show beside the
    field (``loc`` as strings, ``msg`` a phrase such as "must be at most 60 characters long")."""
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": _phrase(e)} for e in errors]


def _field(error: Any) -> str:
    return _where(tuple(error.get("loc", ())))


def describe_validation(
    errors: list[Any],
    lead: str = "The request is not valid",
    name: Callable[[Any], str] = _field,
) -> str:
    """One sentence naming each wrong field of a pydantic error list (``name`` says how a
    field is called where the input came from: a JSON path, an environment variable)."""
    phrases = [f"{name(e)} {_phrase(e)}" for e in errors[:5]]
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return f"{lead}: " + "; ".join(phrases) + more + "."
