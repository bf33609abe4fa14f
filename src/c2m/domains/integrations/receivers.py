"""Which receiver URLs a subscription (a webhook, a phone's push endpoint) may name: https to
the outside world; plain http only to this machine, and only when the settings say so (the
demo, tests, a receiver beside c2m)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from c2m.kernel.errors import InvalidInput

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def _loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _internal_address(host: str) -> bool:
    """An address literal a platform must not be made to call (its own network, link-local)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def check_url(url: str, *, allow_loopback: bool, what: str = "webhook URL") -> str:
    """The URL, or an InvalidInput that says what to change in ``what`` (the URL's role)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError:
        raise InvalidInput(f"The {what} is not a valid URL.") from None
    if parts.scheme not in {"https", "http"} or not host:
        raise InvalidInput(f"The {what} must be an https:// URL with a host name.")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(f"The {what} must not carry a user name or password.")
    if parts.fragment:
        raise InvalidInput(f"The {what} must not have a #fragment.")
    if _loopback(host):
        if not allow_loopback:
            raise InvalidInput(
                f"The {what} points at this machine, which this platform does not allow "
                "(C2M_WEBHOOK_ALLOW_LOOPBACK)."
            )
        return url
    if _internal_address(host):
        raise InvalidInput(f"The {what} must not point at a private or reserved address.")
    if parts.scheme != "https":
        raise InvalidInput(f"The {what} must use https:// so deliveries are encrypted.")
    return url
