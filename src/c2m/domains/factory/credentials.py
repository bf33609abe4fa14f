"""Machine credentials and the signed links machines fetch their job files with.

A machine proves who it is with ``<factory code>/<machine code>`` and a secret the factory's owner
had printed once (only its argon2id hash is kept); the same pair is its MQTT login. A file link
is signed with the platform's secret key and expires with the attempt's lease, and it serves only
the machine the operation was commanded to: a leaked link alone fetches nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.factory.models import Factory, JobArtifact, JobAttempt, Machine
from c2m.domains.platform.actor import Actor
from c2m.domains.platform.security import hash_password, verify_password
from c2m.kernel.errors import Forbidden, Gone, NotAuthenticated, NotFound

SECRET_BYTES = 24


def username_of(factory: Factory, machine: Machine) -> str:
    return f"{factory.code}/{machine.code}"


def new_secret(session: Session, actor: Actor, machine_id: str) -> tuple[str, str]:
    """A fresh secret for the machine (owners of its factory), replacing any earlier one: its
    username and the secret, which is shown this once and never stored."""
    machine = session.get(Machine, machine_id)
    factory = None if machine is None else session.get(Factory, machine.factory_id)
    if machine is None or factory is None or not actor.is_member_of(factory.enterprise_id):
        raise NotFound("There is no such machine, or you are not a member of its enterprise.")
    actor.require_owner_of(factory.enterprise_id)
    return rotate_secret(session, machine)


def rotate_secret(session: Session, machine: Machine) -> tuple[str, str]:
    """A fresh secret for ``machine`` with no questions asked (the operator's command line)."""
    factory = session.get(Factory, machine.factory_id)
    assert factory is not None
    secret = secrets.token_urlsafe(SECRET_BYTES)
    machine.secret_hash = hash_password(secret)
    session.flush()
    return username_of(factory, machine), secret


def machine_named(session: Session, factory_code: str, machine_code: str) -> Machine:
    """The machine by its codes, for the command line (``NotFound`` if there is none)."""
    machine = _named(session, factory_code, machine_code)
    if machine is None:
        raise NotFound(f"There is no machine {machine_code!r} in a factory {factory_code!r}.")
    return machine


def authenticate(session: Session, username: str, secret: str) -> Machine:
    """The machine whose credentials these are; ``NotAuthenticated`` otherwise (the same answer
    and about the same time for an unknown name as for a wrong secret)."""
    factory_code, _, machine_code = username.partition("/")
    machine = _named(session, factory_code, machine_code)
    if not verify_password(secret, None if machine is None else machine.secret_hash):
        raise NotAuthenticated("These machine credentials are not valid.")
    assert machine is not None
    return machine


def _named(session: Session, factory_code: str, machine_code: str) -> Machine | None:
    return session.scalar(
        select(Machine)
        .join(Factory, Factory.id == Machine.factory_id)
        .where(Factory.code == factory_code, Machine.code == machine_code)
    )


@dataclass(frozen=True)
class FileLinks:
    """Signs and checks ``/machine-files/<operation>?expires=<ms>&sig=<hex>``."""

    secret_key: str
    base_url: str

    def link(self, operation_id: str, expires_ms: int) -> str:
        query = urlencode({"expires": expires_ms, "sig": self._sign(operation_id, expires_ms)})
        return f"{self.base_url.rstrip('/')}{path_of(operation_id)}?{query}"

    def check(self, operation_id: str, expires_ms: int, sig: str, now_ms: int) -> None:
        """A forged or altered link is refused (403), an expired one is gone (410)."""
        if not hmac.compare_digest(sig, self._sign(operation_id, expires_ms)):
            raise Forbidden("This file link is not signed by the platform.")
        if expires_ms < now_ms:
            raise Gone("This file link has expired; the machine gets a fresh one with its job.")

    def _sign(self, operation_id: str, expires_ms: int) -> str:
        message = f"machine-file:{operation_id}:{expires_ms}".encode()
        return hmac.new(self.secret_key.encode(), message, hashlib.sha256).hexdigest()


NO_FILE = "There is no file of this operation for this machine."


def path_of(operation_id: str) -> str:
    return f"/machine-files/{operation_id}"


def artifact_for(session: Session, machine: Machine, operation_id: str) -> JobArtifact:
    """The operation's file, for the machine it was last commanded to; any other machine (a
    maker's printer asking for another maker's part) gets the same 404 as for no file."""
    artifact = session.get(JobArtifact, operation_id)
    if artifact is None:
        raise NotFound(NO_FILE)
    holder = session.scalar(
        select(JobAttempt.machine_id)
        .where(JobAttempt.operation_id == operation_id)
        .order_by(JobAttempt.commanded_at.desc())
        .limit(1)
    )
    if holder != machine.id:
        raise NotFound(NO_FILE)
    return artifact
