"""The VAPID key pair that signs Web Push messages: made on first use and kept under the data
directory, readable by its owner only (mode 0600), so every process of one install shares it.

Both keys are stored as base64url text (the raw 32-byte private scalar and the uncompressed
public point), so a web process reads the public key the page needs without loading a crypto
library; only the first run, which makes the pair, does.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FILE_NAME = "vapid.json"


@dataclass(frozen=True)
class VapidKeys:
    private_key: str  # base64url of the raw P-256 private scalar, as pywebpush reads it
    public_key: str  # base64url of the uncompressed point: the page's applicationServerKey


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _new_pair() -> VapidKeys:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return VapidKeys(
        _b64url(key.private_numbers().private_value.to_bytes(32, "big")), _b64url(public)
    )


@cache
def vapid_keys(data_dir: Path) -> VapidKeys:
    """The install's key pair, made and stored if there is none yet. Two processes starting
    at once keep one pair: the file appears whole (a link of a finished file) or not at all."""
    path = data_dir / FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        pair = _new_pair()
        draft = data_dir / f".{FILE_NAME}.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({"private_key": pair.private_key, "public_key": pair.public_key}, out)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made its pair first: use that one
        finally:
            draft.unlink()
    stored = json.loads(path.read_text())
    return VapidKeys(stored["private_key"], stored["public_key"])
