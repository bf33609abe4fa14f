"""The server-rendered pages: mobile first, no build step, plain forms with CSRF tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from c2m.bootstrap import Platform
from c2m.domains.catalog.service import get_product, list_products
from c2m.domains.catalog.showcase import showcases
from c2m.domains.circles.batches import released_variants
from c2m.domains.insights import feedback
from c2m.domains.insights.schemas import Rating
from c2m.domains.orders import placement
from c2m.domains.orders import service as orders
from c2m.domains.orders.payment_news import PaymentState, payment_news
from c2m.domains.orders.payments import TEST_METHODS
from c2m.domains.orders.schemas import Cancel, NewLine, NewOrder, Pay
from c2m.domains.orders.states import CANCELLABLE, OrderState, next_moves
from c2m.domains.platform import scopes as scopes_of
from c2m.domains.platform import service as accounts
from c2m.domains.platform.models import ApiToken, Enterprise, User
from c2m.domains.platform.schemas import SignUp
from c2m.domains.platform.security import MIN_PASSWORD_LENGTH
from c2m.domains.quoting.quoters import quoting_enterprises
from c2m.kernel.errors import Forbidden, NotAuthenticated, describe_validation
from c2m.kernel.ids import new_secret
from c2m.kernel.limits import MAX_QUANTITY
from c2m.kernel.vapid import vapid_keys
from c2m.web import links
from c2m.web.auth import (
    ANON_CSRF_COOKIE,
    SESSION_COOKIE,
    Caller,
    OptionalCaller,
    PlatformDep,
    csrf_matches,
)
from c2m.web.idempotent import claim_of
from c2m.web.order_view import TIMELINE_LIMIT, live_steps, order_view
from c2m.web.rate_limits import RateLimits, in_words
from c2m.web.templating import render

router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str, Form(max_length=100)]


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def check_csrf(request: Request, caller: Caller | None, given: str) -> None:
    expected = caller.csrf_token if caller else request.cookies.get(ANON_CSRF_COOKIE)
    if not csrf_matches(expected, given):
        raise Forbidden("The form has expired or did not come from this site; reload and retry.")


def signed_in(request: Request, caller: Caller | None, given_csrf: str | None = None) -> Caller:
    if caller is None or caller.csrf_token is None:
        raise NotAuthenticated("Please log in first.")
    if given_csrf is not None:
        check_csrf(request, caller, given_csrf)
    return caller


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


def start_session(platform: Platform, user_id: str, target: str) -> Response:
    with platform.db.write() as session:
        user = session.get(User, user_id)
        assert user is not None
        new = accounts.start_session(session, user, platform.settings.session_days)
    response = _see_other(_safe_next(target))
    response.set_cookie(
        SESSION_COOKIE,
        new.cookie_value,
        max_age=platform.settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=platform.settings.secure_cookies,
    )
    response.delete_cookie(ANON_CSRF_COOKIE)
    return response


@router.get("/")
def home(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    with platform.db.read() as session:
        products = showcases(session, list_products(session))
        shops = quoting_enterprises(session)
    return render(request, caller, "index.html", {"products": products, "shops": shops})


@router.get("/login")
def login_form(request: Request, caller: OptionalCaller, next: str = "/orders") -> Response:
    return render(request, caller, "login.html", {"next": _safe_next(next)})


@router.post("/login")
def login(
    request: Request,
    platform: PlatformDep,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/orders",
) -> Response:
    check_csrf(request, None, csrf_token)
    limits: RateLimits = request.app.state.rate_limits
    address = request.client.host if request.client else "unknown"
    context = {"email": email, "next": _safe_next(next)}
    wait = limits.login_wait(email, address)
    if wait:
        context["error"] = f"Too many failed log-ins. Try again in {in_words(wait)}."
        refused = render(request, None, "login.html", context, status_code=429)
        refused.headers["Retry-After"] = str(wait)
        return refused
    try:
        with platform.db.read() as session:
            user = accounts.authenticate(session, email, password)
    except NotAuthenticated as exc:
        limits.login_failed(email, address)
        context["error"] = exc.detail
        return render(request, None, "login.html", context, status_code=401)
    return start_session(platform, user.id, next)


@router.get("/signup")
def signup_form(request: Request, caller: OptionalCaller) -> Response:
    return render(request, caller, "signup.html", {"min_password": MIN_PASSWORD_LENGTH})


@router.post("/signup")
def signup(
    request: Request,
    platform: PlatformDep,
    csrf_token: CsrfField,
    name: Annotated[str, Form(max_length=120)],
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    check_csrf(request, None, csrf_token)
    context = {"name": name, "email": email, "min_password": MIN_PASSWORD_LENGTH}
    try:
        data = SignUp(name=name, email=email, password=password)
    except ValidationError as exc:
        context["error"] = describe_validation(list(exc.errors()))
        return render(request, None, "signup.html", context, status_code=422)
    with platform.db.write() as session:
        user = accounts.create_user(session, data)
    return start_session(platform, user.id, "/")


@router.post("/logout")
def logout(
    request: Request, platform: PlatformDep, caller: OptionalCaller, csrf_token: CsrfField
) -> Response:
    signed_in(request, caller, csrf_token)
    with platform.db.write() as session:
        accounts.end_session(session, request.cookies[SESSION_COOKIE])
    response = _see_other("/")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/products/{product_id}")
def product_page(
    request: Request, platform: PlatformDep, product_id: str, caller: OptionalCaller
) -> Response:
    with platform.db.read() as session:
        shown = showcases(session, [get_product(session, product_id)])[0]
        found = released_variants(session, shown.template_id) if shown.template_id else []
    variants = [(design.name, links.shared_design(platform, design)) for design in found]
    context = {
        "shown": shown,
        "product": shown.product,
        "variants": variants,
        "idempotency_key": new_secret(16),
        "max_quantity": MAX_QUANTITY,
    }
    return render(request, caller, "product.html", context)


@router.post("/products/{product_id}/order")
def order_product(
    request: Request,
    platform: PlatformDep,
    product_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    idempotency_key: Annotated[str, Form(min_length=8, max_length=64)],
    quantity: Annotated[int, Form(ge=1, le=MAX_QUANTITY)],
    note: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Place an order from the product page; a double-click places it once."""
    actor = signed_in(request, caller, csrf_token).actor
    configuration: dict[str, str | int | float | bool] = {"note": note} if note else {}
    data = NewOrder(
        lines=[NewLine(product_id=product_id, quantity=quantity, configuration=configuration)]
    )
    stored = placement.place(
        platform.db,
        claim_of(request, actor, data, "page:" + idempotency_key),
        lambda session: placement.prepare_order(session, actor, data),
    )
    return _see_other(links.order_page(stored.body["id"]))


@router.get("/orders")
def my_orders(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    actor = signed_in(request, caller).actor
    with platform.db.read() as session:
        mine = orders.list_orders(session, actor, limit=100, offset=0)
    return render(request, caller, "orders.html", {"orders": mine})


#: Orders whose customer has nothing left to be told on the phone.
NO_MORE_NEWS = frozenset({OrderState.DELIVERED, OrderState.CANCELLED, OrderState.REFUNDED})


@router.get("/orders/{order_id}")
def order_page(
    request: Request, platform: PlatformDep, order_id: str, caller: OptionalCaller
) -> Response:
    actor = signed_in(request, caller).actor
    with platform.db.read() as session:
        order = orders.load_order(session, actor, order_id)
        view = order_view(session, order)
        answer = feedback.of_order(session, actor, order_id)
        maker = session.get(Enterprise, order.enterprise_id)
        is_customer = order.customer_id == actor.user_id
        customer = None if is_customer else session.get(User, order.customer_id)
    share_url = links.shared_order(platform, order) if order.share_key else None
    following = is_customer and order.state not in NO_MORE_NEWS
    context = {
        "order": order,
        "view": view.overview,
        "thumbnails": view.thumbnails,
        "late_until": view.late_until,
        "late_because": view.late_because,
        "waiting_for": view.waiting_for,
        "steps_url": links.order_page(order.id) + "/steps",
        "feedback": answer,
        "maker": maker.name if maker else "the maker",
        "changeable": any(line.template_id for line in order.lines),
        "idempotency_key": new_secret(16),
        "is_customer": is_customer,
        "customer": customer,  # for the workshop's members: who to ship to and ask
        "next_moves": next_moves,
        "payment_methods": TEST_METHODS,
        "cancellable": sorted(s.value for s in CANCELLABLE),
        "share_url": share_url,
        "stream_url": links.order_events(order.id),
        "push_key": vapid_keys(platform.settings.data_dir).public_key if following else None,
    }
    return render(request, caller, "order.html", context)


@router.get("/orders/{order_id}/steps")
def order_steps(
    request: Request, platform: PlatformDep, order_id: str, caller: OptionalCaller
) -> Response:
    """The order's step list alone: the page swaps it in as the factory reports."""
    actor = signed_in(request, caller).actor
    with platform.db.read() as session:
        steps = live_steps(session, orders.load_order(session, actor, order_id))
    return render(request, caller, "_steps.html", {"steps": steps})


@router.post("/orders/{order_id}/pay")
def pay_page(
    request: Request,
    platform: PlatformDep,
    order_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    payment_method: Annotated[str, Form(max_length=40)],
    expected_version: Annotated[int, Form(ge=1)],
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    data = Pay.model_validate(
        {"payment_method": payment_method, "expected_version": expected_version}
    )
    with platform.db.read() as session:
        order = orders.load_order(session, actor, order_id)
        events = orders.events_after(session, order.id, 0, limit=TIMELINE_LIMIT)
    news = payment_news(events)
    if news is not None and news.state is PaymentState.PENDING:  # a second tap, another tab
        return _see_other(links.order_page(order_id) + "?msg=" + quote(news.reason))
    with platform.db.write() as session:
        orders.pay(session, actor, order_id, data, platform.payments)
    return _see_other(links.order_page(order_id))


@router.post("/orders/{order_id}/feedback")
def rate_page(
    request: Request,
    platform: PlatformDep,
    order_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    score: Annotated[int, Form(ge=0, le=10)],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    with platform.db.write() as session:
        feedback.rate(session, actor, order_id, Rating(score=score, comment=comment))
    return _see_other(links.order_page(order_id) + "#feedback")


@router.post("/orders/{order_id}/reorder")
def reorder_page(
    request: Request,
    platform: PlatformDep,
    order_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    idempotency_key: Annotated[str, Form(min_length=8, max_length=64)],
) -> Response:
    """The same again in one tap; a double tap places it once."""
    actor = signed_in(request, caller, csrf_token).actor
    stored = placement.place(
        platform.db,
        claim_of(request, actor, None, "page:" + idempotency_key),
        lambda session: placement.prepare_reorder(session, actor, order_id, platform.promise),
    )
    return _see_other(links.order_page(stored.body["id"]))


@router.post("/orders/{order_id}/cancel")
def cancel_page(
    request: Request,
    platform: PlatformDep,
    order_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    with platform.db.write() as session:
        orders.cancel(
            session, actor, order_id, Cancel(reason="cancelled by the customer"), platform.payments
        )
    return _see_other(links.order_page(order_id))


@router.post("/orders/{order_id}/share")
def share_page(
    request: Request,
    platform: PlatformDep,
    order_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    with platform.db.write() as session:
        orders.share(session, actor, order_id, platform.share_signer)
    return _see_other(links.order_page(order_id))


@router.post("/orders/{order_id}/share/revoke")
def revoke_share_page(
    request: Request,
    platform: PlatformDep,
    order_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    with platform.db.write() as session:
        orders.revoke_share(session, actor, order_id)
    return _see_other(
        links.order_page(order_id) + "?msg=" + quote("The share link no longer works.")
    )


@router.get("/s/{token}")
def shared_page(
    request: Request, platform: PlatformDep, token: str, caller: OptionalCaller
) -> Response:
    with platform.db.read() as session:
        order = orders.order_for_share(session, token, platform.share_signer)
        view = order_view(session, order)
    context = {
        "order": order,
        "view": view.overview,
        "stream_url": links.shared_order_events(token),
        "steps_url": links.shared_order_page(token) + "/steps",
    }
    return render(request, caller, "shared.html", context)


@router.get("/s/{token}/steps")
def shared_steps(
    request: Request, platform: PlatformDep, token: str, caller: OptionalCaller
) -> Response:
    with platform.db.read() as session:
        order = orders.order_for_share(session, token, platform.share_signer)
        steps = live_steps(session, order)
    return render(request, caller, "_steps.html", {"steps": steps})


@router.get("/account")
def account(request: Request, platform: PlatformDep, caller: OptionalCaller) -> Response:
    actor = signed_in(request, caller).actor
    with platform.db.read() as session:
        tokens = accounts.list_tokens(session, actor)
    return render(request, caller, "account.html", _account_context(tokens))


def _account_context(tokens: list[ApiToken], new_token: str | None = None) -> dict[str, Any]:
    return {
        "tokens": tokens,
        "new_token": new_token,
        "scopes": list(scopes_of.DESCRIPTIONS.items()),
    }


@router.post("/account/tokens")
def create_token_page(
    request: Request,
    platform: PlatformDep,
    caller: OptionalCaller,
    csrf_token: CsrfField,
    name: Annotated[str, Form(min_length=1, max_length=80)],
    scopes: Annotated[list[str] | None, Form(max_length=len(scopes_of.Scope))] = None,
    expires_in_days: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    chosen = scopes_of.parse(scopes) if scopes else None
    days = int(expires_in_days) if expires_in_days.isdigit() else None
    with platform.db.write() as session:
        _, secret = accounts.create_token(
            session, actor, name, chosen, timedelta(days=days) if days else None
        )
        tokens = accounts.list_tokens(session, actor)
    return render(request, caller, "account.html", _account_context(tokens, secret))


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token_page(
    request: Request,
    platform: PlatformDep,
    token_id: str,
    caller: OptionalCaller,
    csrf_token: CsrfField,
) -> Response:
    actor = signed_in(request, caller, csrf_token).actor
    with platform.db.write() as session:
        token = accounts.revoke_token(session, actor, token_id)
    platform.tokens.forget(token.token_hash)  # after the commit, or a reader could re-add it
    return _see_other("/account")
