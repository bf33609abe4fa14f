"""The platform's passport signing keys: Ed25519, made on first use, kept in one file only the
platform's user can read, rotated by adding a key. Retired keys stay published in the did:web
document, so every passport signed earlier still verifies. The public keys are stored as text
beside the private ones: a web process publishes them without loading cryptography.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from c2m.engines.credentials.multikey import public_multikey
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import C2MError

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
KEY_FILE = "passport-keys.json"


class KeyFileError(C2MError):
    """The key file cannot be read as one."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    id: str
    private: bytes
    public: str
    """The public key as a Multikey (``publicKeyMultibase``)."""
    created: str


def did_web(base_url: str) -> str:
    """The did:web of the platform at ``base_url`` (a port is percent-encoded, a path becomes
    colon-separated segments, as the did:web method says)."""
    parts = urlsplit(base_url)
    path = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", quote(parts.netloc, safe=""), *path])


def did_document_url(did: str) -> str:
    """Where ``did`` (did:web) publishes its document: ``/.well-known/did.json`` at the host, or
    ``did.json`` under the path; plain http only for this machine (tests, the demo)."""
    if not did.startswith("did:web:"):
        raise KeyFileError(f"{did!r} is not a did:web identifier")
    host, *path = did.removeprefix("did:web:").split(":")
    host = unquote(host)
    scheme = "http" if host.split(":")[0] in {"127.0.0.1", "localhost"} else "https"
    where = "/".join(unquote(p) for p in path) + "/did.json" if path else ".well-known/did.json"
    return f"{scheme}://{host}/{where}"


class KeyRing:
    """The keys in ``path``, oldest first; the newest signs."""

    def __init__(self, path: Path, keys: list[SigningKey]) -> None:
        self.path = path
        self.keys = keys

    @classmethod
    def open(cls, data_dir: Path) -> KeyRing:
        """The ring in ``data_dir``, with a first key made if there is none yet."""
        path = data_dir / KEY_FILE
        if not path.exists():
            ring = cls(path, [])
            ring.keys.append(ring._new_key())
            if ring._save(first=True):
                return ring
        try:
            stored = json.loads(path.read_text())["keys"]
            keys = [
                SigningKey(k["id"], base64.b64decode(k["private"]), k["public"], k["created"])
                for k in stored
            ]
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyFileError(f"{path} is not a passport key file ({exc})") from exc
        if not keys:
            raise KeyFileError(f"{path} holds no key")
        return cls(path, keys)

    @property
    def current(self) -> SigningKey:
        return self.keys[-1]

    def rotate(self) -> SigningKey:
        """Add a new signing key; the others stay published for verification."""
        key = self._new_key()
        self.keys.append(key)
        self._save()
        return key

    def _new_key(self) -> SigningKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = Ed25519PrivateKey.generate()
        public = public_multikey(key.public_key().public_bytes_raw())
        return SigningKey(
            f"key-{len(self.keys) + 1}", key.private_bytes_raw(), public, utcnow().isoformat()
        )

    def _save(self, first: bool = False) -> bool:
        """Write the ring atomically, readable by its owner only. The ``first`` ring is written
        only if no other process wrote one meanwhile (False then: read theirs)."""
        stored = [
            {
                "id": k.id,
                "private": base64.b64encode(k.private).decode(),
                "public": k.public,
                "created": k.created,
            }
            for k in self.keys
        ]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({"keys": stored}, out, indent=2)
        if not first:
            os.replace(temporary, self.path)
            return True
        try:
            os.link(temporary, self.path)  # fails if another process made the first key
        except FileExistsError:
            return False
        finally:
            temporary.unlink()
        return True

    def did_document(self, did: str) -> dict[str, Any]:
        """The did:web document publishing every key, current and retired."""
        methods = [
            {
                "id": f"{did}#{k.id}",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": k.public,
            }
            for k in self.keys
        ]
        return {
            "@context": DID_CONTEXTS,
            "id": did,
            "verificationMethod": methods,
            "assertionMethod": [m["id"] for m in methods],
        }
