"""The attempt ids an agent has accepted, kept on disk: each attempt runs at most once, even
when the broker delivers its command again after the agent restarted."""

from __future__ import annotations

import json
import logging
import os
from collections import deque
from pathlib import Path

log = logging.getLogger(__name__)

KEPT = 1000
"""Attempt ids remembered; far more than the commands a broker could still redeliver."""


class Journal:
    """``seen`` attempt ids and the one ``running`` (a print the agent lost if it restarted)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.seen: deque[str] = deque(maxlen=KEPT)
        self.running: str | None = None
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text())
                self.seen.extend(str(a) for a in data.get("seen", ()))
                self.running = data.get("running") or None
            except (OSError, ValueError, AttributeError) as exc:
                log.warning("cannot read the journal %s (%s); starting a fresh one", path, exc)

    def __contains__(self, attempt_id: str) -> bool:
        return attempt_id in self.seen

    def accept(self, attempt_id: str) -> None:
        self.seen.append(attempt_id)
        self._save()

    def start(self, attempt_id: str | None) -> None:
        """``attempt_id`` is on the printer now (None: nothing is)."""
        self.running = attempt_id
        self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_suffix(".tmp")
        scratch.write_text(json.dumps({"seen": list(self.seen), "running": self.running}))
        os.replace(scratch, self.path)  # a crash leaves the old journal or the new, never half
