"""Uploaded parts: analysed in the sandbox, recorded, shown only to their owner and the
micro-enterprise asked to quote them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.platform.actor import Actor
from c2m.domains.quoting.models import Upload, UploadStatus
from c2m.engines.geometry.measures import Analysis
from c2m.engines.geometry.sandbox import Outcome, SandboxLimits, analyze_in_sandbox
from c2m.engines.geometry.units import Unit
from c2m.kernel.errors import Forbidden, NotFound
from c2m.kernel.files import FileStore
from c2m.kernel.idempotency import StoredResponse
from c2m.kernel.keyset import Window, select_page

DISPLAY_NAME_LENGTH = 255
ANALYSIS = TypeAdapter(Analysis)


@dataclass(frozen=True)
class Received:
    """A file as it arrived: stored under ``name``; ``filename`` is what the sender called it."""

    name: str
    filename: str
    size: int
    sha256: str


class UploadFingerprint(BaseModel):
    """What an Idempotency-Key of an upload is compared with: the files' names and contents."""

    enterprise_id: str
    files: list[tuple[str, str]]

    @classmethod
    def of(cls, enterprise_id: str, received: Sequence[Received]) -> UploadFingerprint:
        return cls(enterprise_id=enterprise_id, files=[(f.filename, f.sha256) for f in received])


WriteOnce = Callable[[Callable[[Session], Any]], StoredResponse]
"""The caller's write transaction, run once per its Idempotency-Key (kernel.idempotency.once
bound to a database and a claim): the entry point owns the transaction, the use case its steps."""


class Analyser:
    """Runs sandboxed analyses, at most ``slots`` at once so a burst of uploads queues
    instead of forking a process per file."""

    def __init__(self, store: FileStore, slots: int, seconds: float) -> None:
        self.store = store
        self.limits = SandboxLimits(seconds=seconds)
        self._slots = threading.BoundedSemaphore(slots)
        self._pool = ThreadPoolExecutor(slots, thread_name_prefix="analyse")

    def analyse(self, name: str, unit: Unit | None = None) -> Outcome:
        data = self.store.part(name).read_bytes()
        with self._slots:
            outcome = analyze_in_sandbox(data, unit, sandbox=self.limits)
        if outcome.thumbnail is not None:
            self.store.thumbnail(name).write_bytes(outcome.thumbnail)
        return outcome

    def analyse_all(self, names: Sequence[str]) -> list[Outcome]:
        """The files of one upload side by side, as far as the slots allow."""
        return list(self._pool.map(self.analyse, names))


def accept(
    analyser: Analyser,
    actor: Actor,
    enterprise_id: str,
    received: Sequence[Received],
    write_once: WriteOnce,
    out: Callable[[Upload], Any],
) -> StoredResponse:
    """Analyse stored parts in the sandbox and record them with their answer (each upload as
    ``out`` shows it), once per Idempotency-Key. Files no upload keeps afterwards, because the
    request failed or replayed an earlier one, are removed."""
    recorded: list[str] = []
    kept: set[str] = set()
    try:
        outcomes = analyser.analyse_all([file.name for file in received])

        def record_all(session: Session) -> list[Any]:
            rows = [
                record(session, actor, enterprise_id, file, outcome)
                for file, outcome in zip(received, outcomes, strict=True)
            ]
            session.flush()
            recorded.extend(row.id for row in rows)
            return [out(row) for row in rows]

        stored = write_once(record_all)
        kept.update(recorded)  # committed: from now on these files are the uploads'
        return stored
    finally:
        for file in received:
            if file.name not in kept:
                analyser.store.discard(file.name)


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


def list_uploads(session: Session, actor: Actor, window: Window) -> list[Upload]:
    query = select(Upload).where(Upload.owner_id == actor.user_id)
    return list(session.scalars(select_page(query, window, Upload.created_at, Upload.id)))
