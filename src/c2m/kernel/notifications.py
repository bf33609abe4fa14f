"""PostgreSQL LISTEN: notifications sent by committed transactions, forwarded as they come.

``NOTIFY`` is transactional (sent at commit, never for a rolled-back change, in commit order),
so a web process hears each committed timeline event within milliseconds without polling. What
was sent while the connection was down is gone: after each (re)connection ``resync`` runs, and
callers keep a slow database poll as the safety net.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)
WAIT_S = 0.5  # how often the listener looks up from the socket to see whether it should stop


def conninfo(sqlalchemy_url: str) -> str:
    """The libpq URL of a SQLAlchemy ``postgresql+psycopg://`` URL."""
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def listen(
    url: str,
    channel: str,
    stop: threading.Event,
    deliver: Callable[[str], None],
    resync: Callable[[], object],
) -> None:
    """Hand each payload on ``channel`` to ``deliver`` until ``stop`` is set; reconnect with
    back-off when the database goes away."""
    import psycopg  # only where PostgreSQL is listened to: a SQLite web tier never loads it
    from psycopg import sql

    backoff = 0.5
    while not stop.is_set():
        try:
            with psycopg.connect(conninfo(url), autocommit=True) as conn:
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                resync()
                backoff = 0.5
                while not stop.is_set():
                    for note in conn.notifies(timeout=WAIT_S):
                        deliver(note.payload)
        except psycopg.Error as exc:
            log.warning("listening on %s failed (%s); retrying in %.1f s", channel, exc, backoff)
            stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)
