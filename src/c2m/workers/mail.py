"""The mail sender: turns the relayed timeline's milestones into e-mails to the customers (an
event-bus batch handler) and sends them from a thread of its own through the SMTP server of
``C2M_SMTP_URL``, asked again a few times if it fails; without one (the demo) each mail is
written into the mailbox folder instead."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from c2m.domains.integrations.mail import MAILED, order_mails, write_to_mailbox
from c2m.kernel.db import Database
from c2m.kernel.outbox import first_time
from c2m.workers.due import Due, DueQueue

log = logging.getLogger(__name__)
CONSUMER = "mail"
RETRY_SECONDS = (5.0, 30.0, 120.0, 600.0)


class MailSender:
    def __init__(
        self,
        db: Database,
        *,
        smtp_url: str,
        sender: str,
        base_url: str,
        mailbox: Path,
        retry_seconds: Sequence[float] = RETRY_SECONDS,
        timeout_s: float = 20.0,
    ) -> None:
        self.db = db
        self.smtp_url = smtp_url
        self.sender = sender
        self.base_url = base_url
        self.mailbox = mailbox
        self.retry_seconds = tuple(retry_seconds)
        self.timeout_s = timeout_s
        self.queue: DueQueue[EmailMessage] = DueQueue()

    def __call__(self, batch: list[tuple[str, dict[str, Any]]]) -> None:
        """The bus's batch handler: queue the mails of a relayed batch's milestones, once per
        outbox message however often it is relayed."""
        wanted = [m for _, m in batch if "message_id" in m and m.get("type") in MAILED]
        if not wanted:
            return
        with self.db.write() as session:
            fresh = [m for m in wanted if first_time(session, CONSUMER, int(m["message_id"]))]
            mails = order_mails(session, fresh, self.sender, self.base_url)
        for mail in mails:
            self.queue.put(mail)

    def wake(self) -> None:
        self.queue.wake()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            due = self.queue.take(stop)
            if due is not None:
                self._send(due)

    def _send(self, due: Due[EmailMessage]) -> None:
        try:
            if self.smtp_url:
                self._by_smtp(due.item)
            else:
                write_to_mailbox(self.mailbox, due.item)
        except (OSError, smtplib.SMTPException) as failed:
            if due.attempt < len(self.retry_seconds):
                self.queue.put(due.item, due.attempt + 1, self.retry_seconds[due.attempt])
                log.warning("a mail to %s failed (%s); trying again", due.item["To"], failed)
            else:
                log.error("a mail to %s failed (%s) and is dropped", due.item["To"], failed)

    def _by_smtp(self, mail: EmailMessage) -> None:
        """smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or
        smtps://... (TLS from the start)."""
        url = urlsplit(self.smtp_url)
        host, context = url.hostname or "localhost", ssl.create_default_context()
        server: smtplib.SMTP
        if url.scheme == "smtps":
            server = smtplib.SMTP_SSL(
                host, url.port or 465, timeout=self.timeout_s, context=context
            )
        else:
            server = smtplib.SMTP(host, url.port or 25, timeout=self.timeout_s)
        with server:
            if url.scheme == "smtp" and server.has_extn("starttls"):
                server.starttls(context=context)
            if url.username:
                server.login(unquote(url.username), unquote(url.password or ""))
            server.send_message(mail)
