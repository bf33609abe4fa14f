"""The hash chain: each transaction's hash covers its own fields, its postings and the hash
before it, so changing, removing or reordering any written row breaks every later link.

Writers append in turn by locking the one chain-head row (``FOR UPDATE`` on PostgreSQL; on
SQLite ``BEGIN IMMEDIATE`` already lets one writer in at a time), and only after their postings
are written, so the lock is held for the short end of the transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.ledger.models import ChainHead, LedgerPosting, LedgerTransaction

GENESIS = "0" * 64
HEAD_ID = 1
Posting = tuple[str, str, int]  # account, currency, amount


@dataclass(frozen=True)
class Content:
    """What a transaction's hash covers besides its place in the chain."""

    id: str
    kind: str
    key: str
    reference: str | None
    reverses: str | None
    description: str
    created_at: datetime
    postings: Sequence[Posting]

    def text(self) -> str:
        """Canonical JSON; computed before the chain head is locked, it is most of the work."""
        body = {
            "id": self.id,
            "kind": self.kind,
            "key": self.key,
            "reference": self.reference,
            "reverses": self.reverses,
            "description": self.description,
            "at": self.created_at.isoformat(),
            "postings": [list(posting) for posting in self.postings],
        }
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def link_hash(prev_hash: str, seq: int, content: str) -> str:
    """The hash of link ``seq``: the hash before it, its place, and its content."""
    return hashlib.sha256(f"{prev_hash}\n{seq}\n{content}".encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where the chain stops matching the rows, in a sentence."""

    transaction_id: str | None
    seq: int
    reason: str

    def __str__(self) -> str:
        where = (
            f"transaction {self.transaction_id} (link {self.seq})"
            if self.transaction_id
            else (f"link {self.seq}")
        )
        return f"The ledger was tampered with at {where}: {self.reason}."


def links(session: Session, batch: int) -> Iterator[tuple[LedgerTransaction, Content]]:
    """Every transaction in chain order with its postings, read a batch at a time."""
    after = 0
    while True:
        txs = list(
            session.scalars(
                select(LedgerTransaction)
                .where(LedgerTransaction.seq > after)
                .order_by(LedgerTransaction.seq)
                .limit(batch)
            )
        )
        if not txs:
            return
        rows = session.execute(
            select(
                LedgerPosting.transaction_id,
                LedgerPosting.account,
                LedgerPosting.currency,
                LedgerPosting.amount,
            )
            .where(LedgerPosting.transaction_id.in_([tx.id for tx in txs]))
            .order_by(LedgerPosting.transaction_id, LedgerPosting.position)
        )
        postings = {
            tx_id: [(r.account, r.currency, r.amount) for r in group]
            for tx_id, group in groupby(rows, key=lambda r: r.transaction_id)
        }
        for tx in txs:
            yield tx, content_of(tx, postings.get(tx.id, []))
        after = txs[-1].seq


def content_of(tx: LedgerTransaction, postings: Sequence[Posting]) -> Content:
    return Content(
        id=tx.id,
        kind=str(tx.kind),
        key=tx.key,
        reference=tx.reference,
        reverses=tx.reverses,
        description=tx.description,
        created_at=tx.created_at,
        postings=postings,
    )


def verify(session: Session, batch: int = 2000) -> tuple[int, Break | None]:
    """Walk the chain from its start: how many links hold, and the first that does not."""
    prev, seq = GENESIS, 0
    for tx, content in links(session, batch):
        seq += 1
        if tx.seq != seq:
            return seq - 1, Break(None, seq, "this link is missing (a transaction was removed)")
        if tx.prev_hash != prev:
            return seq - 1, Break(tx.id, seq, "it does not follow the link before it")
        if link_hash(prev, seq, content.text()) != tx.hash:
            return seq - 1, Break(tx.id, seq, "its rows no longer match its hash")
        prev = tx.hash
    head = session.get(ChainHead, HEAD_ID)
    if head is not None and (head.seq, head.hash) != (seq, prev):
        return seq, Break(None, head.seq, "the chain head names a link that is not there")
    return seq, None


def head_hash(session: Session) -> str:
    """The newest link's hash: kept outside the database (printed, mailed, published), it shows
    that the chain was not rewritten from some link on, which the chain alone cannot."""
    head = session.get(ChainHead, HEAD_ID)
    return GENESIS if head is None else head.hash
