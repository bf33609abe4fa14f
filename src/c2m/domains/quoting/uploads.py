"""Uploaded parts: analysed in the sandbox, recorded, shown only to their owner and the
micro-enterprise asked to quote them."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.platform.actor import Actor
from c2m.domains.quoting.models import Upload, UploadStatus
from c2m.domains.quoting.schemas import UploadOut
from c2m.engines.geometry.analysis import Analysis
from c2m.engines.geometry.sandbox import Outcome, SandboxLimits, analyze_in_sandbox
from c2m.engines.geometry.units import Unit
from c2m.kernel.errors import Forbidden, NotFound
from c2m.kernel.files import FileStore

DISPLAY_NAME_LENGTH = 255
ANALYSIS = TypeAdapter(Analysis)


@dataclass(frozen=True)
class Received:
    """A file as it arrived: stored under ``name``; ``filename`` is what the sender called it."""

    name: str
    filename: str
    size: int
    sha256: str


class Analyser:
    """Runs sandboxed analyses, at most ``slots`` at once so a burst of uploads queues
    instead of forking a process per file."""

    def __init__(self, store: FileStore, slots: int, seconds: float) -> None:
        self.store = store
        self.limits = SandboxLimits(seconds=seconds)
        self._slots = threading.BoundedSemaphore(slots)

    def analyse(self, name: str, unit: Unit | None = None) -> Outcome:
        data = self.store.part(name).read_bytes()
        with self._slots:
            outcome = analyze_in_sandbox(data, unit, sandbox=self.limits)
        if outcome.thumbnail is not None:
            self.store.thumbnail(name).write_bytes(outcome.thumbnail)
        return outcome


def display_name(filename: str) -> str:
    """What to show for a sender's file name: its last path part, printable, bounded."""
    last = filename.replace("\\", "/").rsplit("/", 1)[-1]
    shown = "".join(ch for ch in last if ch.isprintable()).strip()
    return (shown or "unnamed file")[:DISPLAY_NAME_LENGTH]


def record(
    session: Session, actor: Actor, enterprise_id: str, received: Received, outcome: Outcome
) -> Upload:
    upload = Upload(
        id=received.name,
        owner_id=actor.user_id,
        enterprise_id=enterprise_id,
        filename=display_name(received.filename),
        size=received.size,
        sha256=received.sha256,
    )
    apply_outcome(upload, outcome)
    session.add(upload)
    return upload


def apply_outcome(upload: Upload, outcome: Outcome) -> None:
    if outcome.analysis is not None:
        upload.status = UploadStatus.ANALYSED
        upload.format = outcome.analysis.format
        upload.analysis = analysis_json(outcome.analysis)
        upload.refusal_code = upload.refusal = None
    else:
        upload.status = UploadStatus.REFUSED
        upload.format = upload.analysis = None
        upload.refusal_code, upload.refusal = outcome.code, outcome.message
    upload.thumbnail = outcome.thumbnail is not None


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    data: dict[str, Any] = ANALYSIS.dump_python(analysis, mode="json")
    return data


def analysis_of(upload: Upload) -> Analysis:
    """The stored analysis as the engine's dataclass again."""
    return ANALYSIS.validate_python(upload.analysis)


def can_see(actor: Actor, upload: Upload) -> bool:
    return upload.owner_id == actor.user_id or actor.is_member_of(upload.enterprise_id)


def require_owner(actor: Actor, upload: Upload) -> None:
    if upload.owner_id != actor.user_id:
        raise Forbidden("Only the person who uploaded the part can change how it is read.")


def load_upload(session: Session, actor: Actor, upload_id: str) -> Upload:
    """The upload, for its owner and the quoting micro-enterprise; 404 for anyone else."""
    upload = session.get(Upload, upload_id)
    if upload is None or not can_see(actor, upload):
        raise NotFound("There is no such upload, or it is not yours.")
    return upload


def list_uploads(session: Session, actor: Actor, limit: int, offset: int) -> list[Upload]:
    query = select(Upload).where(Upload.owner_id == actor.user_id)
    query = query.order_by(Upload.created_at.desc(), Upload.id).limit(limit).offset(offset)
    return list(session.scalars(query))


def upload_out(upload: Upload) -> dict[str, Any]:
    thumbnail = f"/api/v1/uploads/{upload.id}/thumbnail" if upload.thumbnail else None
    out = UploadOut.model_validate({**upload.column_values(), "thumbnail_url": thumbnail})
    return out.model_dump(mode="json")
