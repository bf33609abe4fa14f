"""The back office (sqladmin), for the platform owner only: loaded by ``c2m.web.admin`` at its
first request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqladmin import Admin, ModelView
from sqladmin.authentication import AuthenticationBackend
from starlette.applications import Starlette

from c2m.bootstrap import Platform
from c2m.domains.catalog.models import Product
from c2m.domains.orders.models import Order, OrderEvent, Payment, PaymentStatus
from c2m.domains.orders.news import EVENT_TITLES
from c2m.domains.orders.states import LABELS
from c2m.domains.platform.models import ApiToken, Enterprise, Membership, User
from c2m.domains.platform.service import resolve_session
from c2m.kernel.money import format_amount
from c2m.web.auth import SESSION_COOKIE

Formatter = Callable[[Any, str], str]


def as_money(row: Any, column: str) -> str:
    """A column of minor units as money in the row's own currency, e.g. 2400 → "€24.00"."""
    return format_amount(getattr(row, column), row.currency)


def in_words(words: dict[Any, str]) -> Formatter:
    """A column of codes (states, event types) as the words the site shows for them."""
    return lambda row, column: words.get(getattr(row, column), str(getattr(row, column)))


PAYMENT_WORDS = {
    PaymentStatus.PENDING: "Waiting for the bank",
    PaymentStatus.SUCCEEDED: "Paid",
    PaymentStatus.DECLINED: "Declined",
}


class PlatformOwnerOnly(AuthenticationBackend):
    """Reuses the site's log-in: only a platform owner's session opens the back office."""

    def __init__(self, platform: Platform) -> None:
        super().__init__(secret_key=platform.settings.secret_key)
        self.platform = platform

    async def login(self, request: Request) -> bool:
        return False

    async def logout(self, request: Request) -> bool:
        return True

    async def authenticate(self, request: Request) -> Any:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            with self.platform.db.read() as session:
                resolved = resolve_session(session, cookie)
            if resolved is not None and resolved[0].is_platform_owner:
                return True
        return RedirectResponse("/login?next=/admin/", status_code=303)


class UserAdmin(ModelView, model=User):
    column_list = [
        User.email,
        User.name,
        User.is_platform_owner,
        User.is_maker,
        User.is_authority,
        User.is_active,
    ]
    column_searchable_list = [User.email, User.name]
    form_excluded_columns = [User.password_hash, User.memberships]
    can_create = False
    icon = "fa-solid fa-user"


class EnterpriseAdmin(ModelView, model=Enterprise):
    column_list = [Enterprise.name, Enterprise.slug, Enterprise.created_at]
    name_plural = "Micro-enterprises"


class MembershipAdmin(ModelView, model=Membership):
    column_list = [Membership.user, Membership.enterprise, Membership.role]


class ProductAdmin(ModelView, model=Product):
    column_list = [Product.name, Product.slug, Product.unit_price, Product.active]
    column_formatters = column_formatters_detail = {"unit_price": as_money}


class OrderAdmin(ModelView, model=Order):
    column_list = [Order.id, Order.state, Order.total, Order.captured, Order.created_at]
    column_formatters = column_formatters_detail = {
        "state": in_words(LABELS),
        "total": as_money,
        "captured": as_money,
        "refunded": as_money,
    }
    column_default_sort = [(Order.created_at, True)]
    can_create = False
    can_delete = False
    can_edit = False  # orders change only through their state machine


class OrderEventAdmin(ModelView, model=OrderEvent):
    column_list = [OrderEvent.order_id, OrderEvent.seq, OrderEvent.type, OrderEvent.at]
    column_formatters = column_formatters_detail = {
        "type": in_words(EVENT_TITLES),
        "state": in_words(LABELS),
    }
    can_create = can_edit = can_delete = False  # the timeline is append-only


class PaymentAdmin(ModelView, model=Payment):
    column_list = [Payment.order_id, Payment.amount, Payment.status, Payment.created_at]
    column_formatters = column_formatters_detail = {
        "amount": as_money,
        "status": in_words(PAYMENT_WORDS),
    }
    can_create = can_edit = can_delete = False


class ApiTokenAdmin(ModelView, model=ApiToken):
    column_list = [ApiToken.name, ApiToken.prefix, ApiToken.user_id, ApiToken.revoked_at]
    form_excluded_columns = [ApiToken.token_hash]
    can_create = False


def build_back_office(platform: Platform, base_url: str) -> Starlette:
    """The back office's own ASGI app, to be served under ``base_url``."""
    admin = Admin(
        Starlette(),  # sqladmin mounts itself on an app; the site mounts the result itself
        platform.db.engine,
        base_url=base_url,
        title="c2m back office",
        authentication_backend=PlatformOwnerOnly(platform),
    )
    for view in (
        UserAdmin,
        EnterpriseAdmin,
        MembershipAdmin,
        ProductAdmin,
        OrderAdmin,
        OrderEventAdmin,
        PaymentAdmin,
        ApiTokenAdmin,
    ):
        admin.add_view(view)
    return admin.admin
