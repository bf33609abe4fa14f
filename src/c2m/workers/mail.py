"""The mail sender: turns the relayed timeline's milestones into e-mails to the customers (an
event-bus batch handler, which queues them as rows: ``workers.notifications``) and sends them
from a thread of its own through the SMTP server of ``C2M_SMTP_URL``, asked again a few times
if it fails; without one (the demo) each mail is written into the mailbox folder instead."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from c2m.domains.integrations.mail import MAILED, order_mails, write_to_mailbox
from c2m.domains.integrations.models import Channel
from c2m.kernel.db import Database
from c2m.workers.notifications import NotificationSender

RETRY_SECONDS = (5.0, 30.0, 120.0, 600.0)


class MailSender(NotificationSender):
    channel = Channel.MAIL

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
        super().__init__(db, retry_seconds=retry_seconds, timeout_s=timeout_s)
        self.smtp_url = smtp_url
        self.sender = sender
        self.base_url = base_url
        self.mailbox = mailbox

    def wanted(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [m for m in messages if m.get("type") in MAILED]

    def payloads(self, session: Session, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each mail whole (its Message-ID and date fixed when queued, the same on a retry)."""
        mails = order_mails(session, messages, self.sender, self.base_url)
        return [{"to": str(mail["To"]), "message": mail.as_string()} for mail in mails]

    def describe(self, payload: dict[str, Any]) -> str:
        return f"a mail to {payload['to']}"

    def send(self, payload: dict[str, Any]) -> str | None:
        mail = message_from_string(str(payload["message"]), policy=policy.default)
        assert isinstance(mail, EmailMessage)  # the default policy makes EmailMessages
        try:
            if self.smtp_url:
                self._by_smtp(mail)
            else:
                write_to_mailbox(self.mailbox, mail)
        except smtplib.SMTPResponseException as refused:
            said = refused.smtp_error
            text = said.decode(errors="replace") if isinstance(said, bytes) else str(said)
            return f"the server answered {refused.smtp_code} {text}"
        except (OSError, smtplib.SMTPException) as failed:
            return str(failed) or type(failed).__name__
        return None

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
