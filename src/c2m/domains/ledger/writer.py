"""Group-committed posting: ledger transactions from many threads share commits.

Every commit appends to the one hash chain under its head lock, so writers that commit one
transaction each queue behind each other's commit. Through :class:`LedgerWriter` they submit
entries instead; one thread posts whatever has arrived in one transaction (kernel.group_commit)
and answers each submitter once it has committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.ledger.models import LedgerTransaction
from c2m.domains.ledger.service import Entry, post
from c2m.kernel.db import Database
from c2m.kernel.group_commit import GroupWriter


def _post_new(session: Session, entries: Sequence[Entry]) -> list[str | Exception]:
    """Post the entries; an entry whose key was posted before answers with that one's id.

    A batch is posted without asking first, a round trip saved on every commit: a key posted
    before is rare (a message delivered again) and fails the batch on the key's unique
    constraint; the group writer then writes its entries one at a time, each asked first.
    """
    if len(entries) > 1:
        return list(post(session, entries))
    query = select(LedgerTransaction.key, LedgerTransaction.id).where(
        LedgerTransaction.key.in_([entry.key for entry in entries])
    )
    posted: dict[str, str] = {row.key: row.id for row in session.execute(query)}
    new = [entry for entry in entries if entry.key not in posted]
    posted.update(zip([entry.key for entry in new], post(session, new), strict=True))
    return [posted[entry.key] for entry in entries]


class LedgerWriter:
    """Submit entries from any thread; each answers with its transaction id once committed."""

    def __init__(self, db: Database, max_batch: int = 64, gather: float = 0.002) -> None:
        self._group: GroupWriter[Entry, str] = GroupWriter(
            db,
            _post_new,
            name="ledger-writer",
            exclusive=lambda entry: entry.key,
            max_batch=max_batch,
            gather=gather,
        )

    def submit(self, entry: Entry) -> Future[str]:
        return self._group.enqueue(entry)

    def post(self, entries: Sequence[Entry]) -> list[str]:
        """Post ``entries`` (in one commit or several, with other threads' entries) and wait."""
        return [future.result() for future in [self.submit(entry) for entry in entries]]

    def close(self) -> None:
        self._group.close()
