"""The catalogue of problem types: one stable ``code`` per way a request can fail.

A client program branches on ``code`` (or on ``type``, the same code as a URI), never on the
sentence in ``detail``, which is written for people and may be reworded. The ``type`` URI is
relative (RFC 9457 §3.1.1), so it resolves on whichever server answered, and each one is a page
there (``/problems/<code>``) that says what the problem means and what to do. docs/api.md lists
the same catalogue; a test keeps the two in step.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ProblemCode(enum.StrEnum):
    BAD_REQUEST = "bad-request"
    MALFORMED_JSON = "malformed-json"
    INVALID_INPUT = "invalid-input"
    UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type"
    NOT_AUTHENTICATED = "not-authenticated"
    TOKEN_EXPIRED = "token-expired"  # noqa: S105 - a problem code, not a secret
    INVALID_CLIENT = "invalid-client"
    UNSUPPORTED_GRANT_TYPE = "unsupported-grant-type"
    FORBIDDEN = "forbidden"
    INSUFFICIENT_SCOPE = "insufficient-scope"
    NOT_FOUND = "not-found"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    NOT_ACCEPTABLE = "not-acceptable"
    REQUEST_TIMEOUT = "request-timeout"
    CONFLICT = "conflict"
    ALREADY_EXISTS = "already-exists"
    ORDER_CHANGED = "order-changed"
    STATE_DOES_NOT_ALLOW = "state-does-not-allow"
    PAYMENT_PENDING = "payment-pending"
    IDEMPOTENCY_KEY_IN_USE = "idempotency-key-in-use"
    IDEMPOTENCY_KEY_REUSED = "idempotency-key-reused"
    GONE = "gone"
    PAYLOAD_TOO_LARGE = "payload-too-large"
    RATE_LIMITED = "rate-limited"
    INTERNAL_ERROR = "internal-error"
    NOT_READY = "not-ready"


@dataclass(frozen=True)
class ProblemType:
    code: ProblemCode
    status: int
    title: str
    meaning: str
    next_step: str

    @property
    def uri(self) -> str:
        return type_uri(self.code)


def type_uri(code: ProblemCode) -> str:
    return f"/problems/{code.value}"


_TYPES = (
    ProblemType(
        ProblemCode.BAD_REQUEST,
        400,
        "Bad request",
        "The request cannot be understood as sent.",
        "Read `detail`, correct the request and send it again.",
    ),
    ProblemType(
        ProblemCode.MALFORMED_JSON,
        400,
        "Malformed JSON",
        "The body is not valid JSON.",
        "Check quotes, commas and brackets; send the body again.",
    ),
    ProblemType(
        ProblemCode.INVALID_INPUT,
        422,
        "Invalid input",
        "A field is missing, of the wrong kind or breaks a rule; `errors` lists each field.",
        "Correct the fields `detail` names and send the request again.",
    ),
    ProblemType(
        ProblemCode.UNSUPPORTED_MEDIA_TYPE,
        415,
        "Unsupported media type",
        "The body was not sent as `application/json`.",
        "Send the body as JSON with `Content-Type: application/json`.",
    ),
    ProblemType(
        ProblemCode.NOT_AUTHENTICATED,
        401,
        "Not signed in",
        "No valid session or API token came with the request, or the token has expired.",
        "Log in, or send a valid token as `Authorization: Bearer …`.",
    ),
    ProblemType(
        ProblemCode.TOKEN_EXPIRED,
        401,
        "Token expired",
        "The API token was valid but its expiry has passed.",
        "Create a new token, or get a fresh one from /api/v1/oauth/token with your service "
        "client's credentials.",
    ),
    ProblemType(
        ProblemCode.INVALID_CLIENT,
        401,
        "Invalid client",
        "The service client's id or secret is wrong, or the client was revoked "
        "(OAuth 2 `invalid_client`).",
        "Check the client id and secret; an owner can create a new service client.",
    ),
    ProblemType(
        ProblemCode.UNSUPPORTED_GRANT_TYPE,
        400,
        "Unsupported grant type",
        "The token endpoint was asked for a grant other than `client_credentials`.",
        "Send `grant_type=client_credentials`.",
    ),
    ProblemType(
        ProblemCode.FORBIDDEN,
        403,
        "Forbidden",
        "The caller is known but may not do this (a role or ownership is missing).",
        "Ask an owner of the micro-enterprise for the role `detail` names.",
    ),
    ProblemType(
        ProblemCode.INSUFFICIENT_SCOPE,
        403,
        "Insufficient scope",
        "The token is valid but lacks the scope this operation needs; `detail` names it, and "
        "the OpenAPI document lists each operation's scope.",
        "Use a token that holds the scope, or create one with it.",
    ),
    ProblemType(
        ProblemCode.NOT_FOUND,
        404,
        "Not found",
        "Nothing is at this address, or nothing the caller may see: another tenant's object "
        "answers the same as a missing one.",
        "Check the identifier; list the collection to find the right one.",
    ),
    ProblemType(
        ProblemCode.METHOD_NOT_ALLOWED,
        405,
        "Method not allowed",
        "The address exists but does not take this method.",
        "Use one of the methods the `Allow` header names.",
    ),
    ProblemType(
        ProblemCode.NOT_ACCEPTABLE,
        406,
        "Not acceptable",
        "The address cannot answer in the format the `Accept` header asks for.",
        "Accept `application/json`.",
    ),
    ProblemType(
        ProblemCode.REQUEST_TIMEOUT,
        408,
        "Request timeout",
        "The body came in too slowly and was cut off (C2M_BODY_GRACE_SECONDS, "
        "C2M_BODY_MIN_BYTES_PER_SECOND).",
        "Send the request again over a steadier connection.",
    ),
    ProblemType(
        ProblemCode.CONFLICT,
        409,
        "Conflict",
        "The request clashes with the present state of the object (a locked circle, a closed "
        "batch, an answered request).",
        "Read the object again; `detail` says what stands in the way.",
    ),
    ProblemType(
        ProblemCode.ALREADY_EXISTS,
        409,
        "Already exists",
        "Something with this name, code or e-mail address exists already.",
        "Choose another name, or use the one that exists.",
    ),
    ProblemType(
        ProblemCode.ORDER_CHANGED,
        409,
        "Order changed",
        "The order changed since the caller read it (`expected_version`), or in a concurrent "
        "request at the same moment.",
        "Read the order again and retry with its current version.",
    ),
    ProblemType(
        ProblemCode.STATE_DOES_NOT_ALLOW,
        409,
        "Not in this state",
        "The order's state does not allow this step (docs/order-states.md).",
        "Read the order's state; retrying will not help until it moves on.",
    ),
    ProblemType(
        ProblemCode.PAYMENT_PENDING,
        409,
        "Payment pending",
        "A payment for the order is waiting for the bank's confirmation.",
        "Wait for the `order.paid` event or the order's next state; do not pay again.",
    ),
    ProblemType(
        ProblemCode.IDEMPOTENCY_KEY_IN_USE,
        409,
        "Idempotency key in use",
        "A request with the same `Idempotency-Key` is still running.",
        "Retry the same request with the same key in a moment: it replays the first answer.",
    ),
    ProblemType(
        ProblemCode.IDEMPOTENCY_KEY_REUSED,
        422,
        "Idempotency key reused",
        "The `Idempotency-Key` was used before with a different request.",
        "Use a new key for a new request; the same key only for a retry of the same one.",
    ),
    ProblemType(
        ProblemCode.GONE,
        410,
        "Gone",
        "The link has expired.",
        "Ask for a fresh link (a machine gets one with its next command).",
    ),
    ProblemType(
        ProblemCode.PAYLOAD_TOO_LARGE,
        413,
        "Payload too large",
        "The body, or a file in it, is larger than the server accepts.",
        "Send a smaller file; the limits are in docs/quoting.md and docs/configuration.md.",
    ),
    ProblemType(
        ProblemCode.RATE_LIMITED,
        429,
        "Too many requests",
        "A rate limit's budget is spent (log-in failures, API calls per token, uploads).",
        "Wait the number of seconds `Retry-After` gives, then try again.",
    ),
    ProblemType(
        ProblemCode.INTERNAL_ERROR,
        500,
        "Internal error",
        "Something failed on the server; nothing was changed.",
        "Try again; if it persists, tell the operator the `X-Request-ID` of the answer.",
    ),
    ProblemType(
        ProblemCode.NOT_READY,
        503,
        "Not ready",
        "The server runs but cannot serve yet: `errors` names each failing check "
        "(database, broker, migrations).",
        "Fix what `detail` names; a load balancer sends traffic elsewhere meanwhile.",
    ),
)

CATALOGUE: dict[ProblemCode, ProblemType] = {t.code: t for t in _TYPES}
