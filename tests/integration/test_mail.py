"""E-mail at an order's milestones, from the worker, on SQLite and PostgreSQL: without an SMTP
server (the demo) each mail is kept as an .eml file in the mailbox that /mails shows; with one
(an aiosmtpd stand-in) it is sent there, and asked again after the server failed; a milestone
relayed twice is mailed once, and a factory step is not mailed at all. A mail queued by a worker
that died before sending it is sent by the next one, two workers send each mail once, and one
that fails every time is given up."""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from c2m.bootstrap import Platform
from c2m.domains.integrations import outgoing
from c2m.domains.integrations.mail import MAILBOX
from c2m.domains.integrations.models import Channel, OutgoingNotification
from c2m.kernel.clock import utcnow
from c2m.workers.mail import MailSender
from tests.api.test_access_control import log_in
from tests.api.test_bad_input import assert_problem
from tests.conftest import World, free_port
from tests.integration.test_webhooks import place_and_pay
from tests.push_support import sending, start_step
from tests.webhook_receiver import wait_until


def read(raw: bytes) -> EmailMessage:
    mail = message_from_bytes(raw, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    return mail


def mailbox(platform: Platform) -> list[Path]:
    folder = platform.settings.data_dir / MAILBOX
    return sorted(folder.glob("*.eml")) if folder.is_dir() else []


def test_the_demo_keeps_mails_in_the_mailbox_page(
    client: TestClient, platform: Platform, world: World
) -> None:
    with sending(platform.mail):
        order_id = place_and_pay(platform, world)
        start_step(platform, order_id, "Cut panels", "cut")  # not mailed: the phone tells it
        platform.relay.relay_once()
        platform.relay.relay_once()
        wait_until(lambda: len(mailbox(platform)) == 1, "the payment's mail was kept")
    mail = read(mailbox(platform)[0].read_bytes())
    assert mail["To"] == world.alice.user.email
    assert mail["Subject"] == "Your Stool: payment received"
    assert f"/orders/{order_id}" in mail.get_content()

    log_in(client, world.alice.user.email)
    refused = client.get("/mails", headers={"Accept": "application/json"})
    assert_problem(refused, 403, "platform owner")
    client.cookies.clear()
    log_in(client, world.owner.user.email)
    page = client.get("/mails")
    assert page.status_code == 200
    assert "Your Stool: payment received" in page.text
    name = mailbox(platform)[0].name
    one = client.get(f"/mails/{name}")
    assert world.alice.user.email in one.text
    assert f"/orders/{order_id}" in one.text
    assert client.get("/mails/..%2Fc2m.sqlite3").status_code == 404


def test_demo_mode_shows_the_mailbox_to_everyone(client: TestClient, platform: Platform) -> None:
    platform.settings.demo = True
    page = client.get("/mails")
    assert page.status_code == 200
    assert "No mail yet" in page.text


class Inbox:
    """An SMTP server's handler (aiosmtpd) that refuses the first ``refuse`` messages."""

    def __init__(self, refuse: int = 0) -> None:
        self.refuse = refuse
        self.got: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 Try again later"
        self.got.append(read(envelope.original_content or b""))
        return "250 OK"


def test_mails_go_through_the_smtp_server_and_are_retried(platform: Platform, world: World) -> None:
    inbox = Inbox(refuse=1)
    port = free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    platform.mail.smtp_url = f"smtp://127.0.0.1:{port}"
    platform.mail.retry_seconds = (0.05,)
    try:
        with sending(platform.mail):
            order_id = place_and_pay(platform, world)
            platform.relay.relay_once()
            wait_until(lambda: len(inbox.got) == 1, "the SMTP server got the mail")
    finally:
        server.stop()
    assert inbox.got[0]["To"] == world.alice.user.email
    assert inbox.got[0]["From"] == platform.settings.mail_from
    assert inbox.got[0]["Subject"] == "Your Stool: payment received"
    assert order_id in inbox.got[0].get_content()
    assert mailbox(platform) == []  # sent, not kept


def waiting(platform: Platform) -> int:
    """Notifications queued and not sent yet."""
    with platform.db.read() as session:
        return session.scalar(select(func.count()).select_from(OutgoingNotification)) or 0


def restarted(platform: Platform, sender: type[MailSender] = MailSender) -> MailSender:
    """A new worker's mail sender on the same database and mailbox (the demo's: no SMTP)."""
    return sender(
        platform.db,
        smtp_url="",
        sender=platform.settings.mail_from,
        base_url="http://c2m.test",
        mailbox=platform.settings.data_dir / MAILBOX,
    )


def test_a_mail_queued_by_a_worker_that_died_is_sent_by_the_next(
    platform: Platform, world: World
) -> None:
    order_id = place_and_pay(platform, world)
    platform.relay.relay_once()  # the handler queues the mail; this worker never sends it
    assert waiting(platform) == 1
    assert mailbox(platform) == []
    with sending(restarted(platform)):
        wait_until(lambda: len(mailbox(platform)) == 1, "the next worker sent the mail")
    mail = read(mailbox(platform)[0].read_bytes())
    assert mail["To"] == world.alice.user.email
    assert f"/orders/{order_id}" in mail.get_content()
    assert waiting(platform) == 0


class Slow(MailSender):
    """A mail sender that takes its time, so that two of them work side by side."""

    def send(self, payload: dict[str, Any]) -> str | None:
        time.sleep(0.02)
        return super().send(payload)


def test_two_workers_send_each_mail_once(platform: Platform) -> None:
    count = 20
    payloads = []
    for number in range(count):
        mail = EmailMessage()
        mail["From"], mail["To"] = "c2m@localhost", f"person{number}@example.com"
        mail["Subject"] = f"Mail {number}"
        mail.set_content("Hello")
        payloads.append({"to": mail["To"], "message": mail.as_string()})
    with platform.db.write() as session:
        outgoing.add(session, Channel.MAIL, payloads, utcnow())
    with ExitStack() as both:
        for _ in range(2):
            both.enter_context(sending(restarted(platform, Slow)))
        wait_until(lambda: waiting(platform) == 0, "every mail was sent")
    subjects = sorted(read(path.read_bytes())["Subject"] for path in mailbox(platform))
    assert subjects == sorted(f"Mail {number}" for number in range(count))


def test_a_stale_attempt_does_not_undo_a_newer_one(platform: Platform) -> None:
    """A sender whose lease ran out while it sent finds another holding the mail: what the
    first records then changes nothing."""
    with platform.db.write() as session:
        outgoing.add(session, Channel.MAIL, [{"to": "a@example.com", "message": ""}], utcnow())
    claims = []
    for _ in range(2):  # a lease of no time: the second claim takes it over at once
        with platform.db.write() as session:
            claims.append(outgoing.claim(session, Channel.MAIL, utcnow(), timedelta()))
    first, second = claims
    assert first is not None
    assert second is not None
    assert (first.attempt, second.attempt) == (1, 2)
    with platform.db.write() as session:
        outgoing.finish(session, first)
    assert waiting(platform) == 1
    with platform.db.write() as session:
        outgoing.finish(session, second)
    assert waiting(platform) == 0


def test_a_mail_that_always_fails_is_given_up(
    platform: Platform, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox(refuse=9)
    port = free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    platform.mail.smtp_url = f"smtp://127.0.0.1:{port}"
    platform.mail.retry_seconds = (0.05,)
    try:
        with sending(platform.mail), caplog.at_level(logging.ERROR):
            place_and_pay(platform, world)
            platform.relay.relay_once()
            wait_until(lambda: waiting(platform) == 0, "the mail was given up")
    finally:
        server.stop()
    assert inbox.refuse == 7  # tried twice
    dropped = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert dropped == [
        f"a mail to {world.alice.user.email} failed (the server answered 451 Try again later)"
        " 2 times and is dropped"
    ]
