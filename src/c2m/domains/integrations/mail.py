"""E-mail to customers at the milestones of their orders (payment received, shipped,
delivered: not every factory step, which the phone tells), and the demo's mailbox: without an
SMTP server the mails are written as .eml files into ``<data dir>/mails`` and read back by the
/mails page. Sending is the worker's (``workers.mail``)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from c2m.domains.orders.events import OrderEventType
from c2m.domains.orders.models import Order
from c2m.domains.orders.news import EVENT_TITLES
from c2m.domains.platform.models import User
from c2m.kernel.errors import NotFound

E = OrderEventType
MAILED = frozenset({E.PAID, E.SHIPPED, E.DELIVERED})
MAILBOX = "mails"
#: A mail's file name as the mailbox writes it: its time, then its own id.
MAIL_NAME = re.compile(r"^\d{8}T\d{6}\d{6}-[0-9a-f]{12}\.eml$")


def order_mails(
    session: Session, messages: Iterable[dict[str, Any]], sender: str, base_url: str
) -> list[EmailMessage]:
    """The e-mails a relayed batch of timeline messages makes, one per milestone."""
    wanted = [m for m in messages if m["type"] in MAILED]
    if not wanted:
        return []
    orders = {
        order.id: order
        for order in session.scalars(
            select(Order).where(Order.id.in_({str(m["order_id"]) for m in wanted}))
        )
    }
    people = {
        user.id: user
        for user in session.scalars(
            select(User).where(User.id.in_({o.customer_id for o in orders.values()}))
        )
    }
    mails = []
    for message in wanted:
        order = orders.get(str(message["order_id"]))
        person = people.get(order.customer_id) if order else None
        if order is None or person is None:
            continue
        mails.append(_mail(order, person, str(message["type"]), sender, base_url))
    return mails


def _mail(order: Order, person: User, event_type: str, sender: str, base_url: str) -> EmailMessage:
    product = order.lines[0].product_name if order.lines else "order"
    news = EVENT_TITLES[event_type]
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = person.email
    mail["Subject"] = f"Your {product}: {news[:1].lower()}{news[1:]}"
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(
        f"Hello {person.name},\n\n"
        f"{news}: your {product} (order {order.id[:8]}).\n\n"
        f"Follow it step by step at {base_url.rstrip('/')}/orders/{order.id}\n\n"
        "— c2m\n"
    )
    return mail


def write_to_mailbox(folder: Path, mail: EmailMessage) -> Path:
    """Keep ``mail`` as an .eml file (the demo's mailbox), named so names sort by time."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    name = f"{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(6)}.eml"
    path = folder / name
    path.write_bytes(mail.as_bytes(policy=policy.SMTP))
    return path


@dataclass(frozen=True)
class KeptMail:
    name: str
    sent: datetime | None
    to: str
    subject: str
    text: str


def _read(path: Path) -> KeptMail:
    mail = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    body = mail.get_body(("plain",)) if isinstance(mail, EmailMessage) else None
    return KeptMail(
        name=path.name,
        sent=mail["Date"].datetime if mail["Date"] else None,
        to=str(mail["To"] or ""),
        subject=str(mail["Subject"] or ""),
        text=body.get_content() if body is not None else "",
    )


def kept_mails(folder: Path, limit: int = 200) -> list[KeptMail]:
    """The mailbox's mails, newest first."""
    if not folder.is_dir():
        return []
    names = sorted((p.name for p in folder.iterdir() if MAIL_NAME.match(p.name)), reverse=True)
    return [_read(folder / name) for name in names[:limit]]


def kept_mail(folder: Path, name: str) -> KeptMail:
    """One mail of the mailbox by its file name; anything else is not found."""
    path = folder / name
    if not MAIL_NAME.match(name) or not path.is_file():
        raise NotFound("There is no such mail in the mailbox.")
    return _read(path)
