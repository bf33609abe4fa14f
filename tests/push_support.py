"""What a phone's browser and its push service do with a Web Push message, for tests: a
subscription's key pair, the decryption of the aes128gcm body (``http_ece``), and the check of
the VAPID ``Authorization`` header a push service makes before accepting it."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from c2m.bootstrap import Platform, build_platform
from c2m.domains.orders import events
from c2m.domains.orders.models import Order
from c2m.domains.orders.service import note
from c2m.workers.notifications import NotificationSender
from tests.conftest import make_settings
from tests.webhook_receiver import Received


def loopback_platform(database_url: str, tmp_path: Path) -> Iterator[Platform]:
    """A platform (the ``platform`` fixture's) that lets push endpoints name this machine:
    the stand-in push service is a local HTTP server."""
    built = build_platform(make_settings(database_url, tmp_path, webhook_allow_loopback=True))
    yield built
    built.shutdown()


def start_step(platform: Platform, order_id: str, operation: str, step: str) -> None:
    """The factory reports that an operation of the order started (as the order page test)."""
    with platform.db.write() as session:
        order = session.get(Order, order_id)
        assert order is not None
        started = events.step(
            events.OrderEventType.OPERATION_STARTED, {"operation": operation, "step": step}
        )
        note(session, order, started, actor="factory")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class PhoneKeys:
    """A browser's subscription keys: its ECDH key pair and its 16-byte auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> PhoneKeys:
        return cls(ec.generate_private_key(ec.SECP256R1()), secrets.token_bytes(16))

    @classmethod
    def of_jwk(cls, jwk: dict[str, str], auth: str) -> PhoneKeys:
        """The keys a page made with WebCrypto (its private JWK) and the auth it sent."""
        d = int.from_bytes(unb64url(jwk["d"]), "big")
        return cls(ec.derive_private_key(d, ec.SECP256R1()), unb64url(auth))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            Encoding.X962, PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def subscription(self, endpoint: str) -> dict[str, Any]:
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}

    def read(self, received: Received) -> dict[str, Any]:
        """The notification a push carried, decrypted as the browser does."""
        assert received.headers["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(
            received.body,
            private_key=self.private_key,
            auth_secret=self.auth,
            version="aes128gcm",
        )
        news: dict[str, Any] = json.loads(plain)
        return news


def check_vapid(received: Received, endpoint: str) -> dict[str, Any]:
    """What a push service checks (RFC 8292): ``vapid t=<JWT>, k=<public key>``, the JWT signed
    ES256 by that key, for the endpoint's origin, not expired, with a contact. Returns the
    header's parts (``k``, the claims)."""
    scheme, _, params = received.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    head, body, signature = parts["t"].split(".")
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    assert json.loads(unb64url(head))["alg"] == "ES256"
    claims: dict[str, Any] = json.loads(unb64url(body))
    origin = urlsplit(endpoint)
    assert claims["aud"] == f"{origin.scheme}://{origin.netloc}"
    assert claims["exp"] > time.time()
    assert claims["sub"].startswith(("mailto:", "https://"))
    return {"k": parts["k"], "claims": claims}


@contextmanager
def sending(sender: NotificationSender) -> Iterator[None]:
    """The worker's sender sends from its thread while the block runs (the test relays)."""
    stop = threading.Event()
    thread = threading.Thread(target=sender.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        sender.wake()
        thread.join(timeout=5)
