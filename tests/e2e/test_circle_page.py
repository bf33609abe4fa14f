"""Issue 7 on a phone: join a circle, post a demand, vote, see your model and pre-order it;
the owner sees the coverage curve and the demand map."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from c2m.kernel.clock import utcnow
from tests.api.test_circles import aggregate, demand, image, open_circle
from tests.conftest import LiveServer, World, place
from tests.e2e.charts import SIZES, box, inside, keep, page_overflow, small_text
from tests.e2e.conftest import PHONE
from tests.e2e.test_order_page import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_member_asks_votes_and_preorders_their_model_on_a_phone(
    live_server: LiveServer, world: World, browser: Browser, phone: Page
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as api:
        circle_id = open_circle(api, world)["id"]
        demand(api, circle_id, world.bob, sleeve=745, collar="cutaway")
    page = phone
    log_in(page, live_server, world.alice.user.email)
    page.goto(live_server.url + "/circles")
    page.get_by_role("link", name="Shirts for tall people").click()
    expect(page.get_by_role("heading", name="Shirts for tall people")).to_be_visible()

    page.get_by_label("Sleeve length (mm)").fill("655")
    page.get_by_label("Collar").select_option("kent")
    page.get_by_label("In your words").fill("Long arms, classic collar")
    page.get_by_role("button", name="Post my demand").click()
    demands = page.locator(".demand")
    expect(demands).to_have_count(2)
    expect(page.locator("#demands")).to_contain_text("Long arms, classic collar")
    mine = demands.filter(has_text="(you)")
    mine.get_by_label("Picture (PNG or JPEG)").set_input_files(
        {"name": "me.png", "mimeType": "image/png", "buffer": image("PNG")}
    )
    mine.get_by_role("button", name="Add a picture").click()
    picture = page.locator(".demand-picture")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth") == 40

    bob_card = demands.filter(has_text="Member 1")  # others are never shown by name
    bob_card.get_by_role("button", name="Vote").click()
    expect(bob_card.locator(".votes")).to_have_text("1 vote(s)")
    expect(bob_card.get_by_role("button", name="Remove vote")).to_be_visible()
    bob_card.get_by_label("Comment").fill("Same arms here")
    bob_card.get_by_role("button", name="Comment").click()
    expect(bob_card.locator(".comments")).to_contain_text("Alice Same arms here")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    with httpx.Client(base_url=live_server.url, timeout=30) as api:
        aggregate(api, world, circle_id, 2)
        proposals = api.get(
            f"/api/v1/circles/{circle_id}/proposals", headers=world.alice.headers
        ).json()
        mine = next(p for p in proposals if p["yours"])
        opened = api.post(
            f"/api/v1/proposals/{mine['id']}/batches",
            json={"threshold": 2, "deadline": (utcnow() + timedelta(days=7)).isoformat()},
            headers=world.maker_a.headers,
        )
        assert opened.status_code == 201, opened.text
    page.reload()
    yours = page.locator(".proposal").filter(has_text="Your model")
    expect(yours).to_have_count(1)
    expect(yours).to_contain_text("collar as you asked")
    expect(yours).to_contain_text("0 of 2 paid")
    yours.get_by_role("button", name="Pre-order this model").click()
    page.wait_for_url(re.compile(r"/orders/[0-9a-f]{32}$"))

    owner = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    log_in(owner, live_server, world.maker_a.user.email)
    owner.goto(f"{live_server.url}/circles/{circle_id}/owner")
    expect(owner.locator("#curve svg")).to_be_visible()
    expect(owner.locator("#map svg circle.demand")).to_have_count(2)
    owner.context.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_owner_reads_the_coverage_curve_and_the_demand_map_at_both_sizes(
    live_server: LiveServer, world: World, phone: Page
) -> None:
    """Issue 19: the map spreads its points over the plot, has axes that say what they mean
    and a legend of the models; no text of either chart is under 12 px, phone or laptop."""
    with httpx.Client(base_url=live_server.url, timeout=30) as api:
        circle_id = open_circle(api, world)["id"]
        for person, sleeve, collar in (
            (world.alice, 655, "kent"),
            (world.alice, 650, "cutaway"),
            (world.alice, 700, "kent"),
            (world.bob, 740, "cutaway"),
            (world.bob, 745, "kent"),
            (world.bob, 690, "cutaway"),
        ):
            demand(api, circle_id, person, sleeve=sleeve, collar=collar)
        aggregate(api, world, circle_id, 2)
    page = phone
    log_in(page, live_server, world.maker_a.user.email)
    page.goto(f"{live_server.url}/circles/{circle_id}/owner")
    chart = page.locator("#map svg")
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        assert small_text(page.locator("#curve")) == []
        assert small_text(page.locator("#map")) == []
        assert chart.locator(".x-axis .tick").count() >= 2
        assert chart.locator(".y-axis .tick").count() >= 2
        plot = box(chart.locator("rect.plot"))
        points = [box(point) for point in chart.locator("circle.demand").all()]
        across = max(p["x"] + p["width"] for p in points) - min(p["x"] for p in points)
        up = max(p["y"] + p["height"] for p in points) - min(p["y"] for p in points)
        assert across >= 0.6 * plot["width"], f"the points crowd across at {name} size"
        assert up >= 0.6 * plot["height"], f"the points crowd into a strip at {name} size"
        frame = box(chart)
        outside = [
            (text.text_content(), box(text))
            for text in chart.locator("text").all()
            if not inside(box(text), frame)
        ]
        assert not outside, f"labels outside the chart at {name} size ({frame}): {outside}"
        assert page_overflow(page) <= 0, f"the page scrolls sideways at {name} size"
        keep(page, "circle-owner")
    expect(chart.locator("circle.demand")).to_have_count(6)
    expect(chart.locator(".x-axis .axis-name")).to_contain_text("Main difference")
    expect(chart.locator(".y-axis .axis-name")).to_contain_text("Second difference")
    expect(chart.locator(".legend")).to_contain_text("model 1 (")
    expect(chart.locator(".legend")).to_contain_text("model 2 (")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_circle_and_a_shared_order_name_nobody_else_at_both_sizes(
    live_server: LiveServer, world: World, browser: Browser, phone: Page
) -> None:
    """Issue 19: members see each other's measurements under "Member N", their own under their
    name; someone holding a share link sees the order's progress and no name at all."""
    with httpx.Client(base_url=live_server.url, timeout=30) as api:
        circle_id = open_circle(api, world)["id"]
        demand(api, circle_id, world.bob, sleeve=745, chest=1100, collar="cutaway")
        alices = demand(api, circle_id, world.alice, sleeve=655, collar="kent")
        api.post(
            f"/api/v1/circles/{circle_id}/items/{alices['id']}/comments",
            json={"text": "Same arms here"},
            headers=world.bob.headers,
        )
        order = place(api, world.alice, world.product_a).json()
        link = api.post(f"/api/v1/orders/{order['id']}/share", headers=world.alice.headers)
        shared_url = f"{live_server.url}/s/{link.json()['token']}"
    log_in(phone, live_server, world.alice.user.email)
    phone.goto(f"{live_server.url}/circles/{circle_id}")
    demands = phone.locator("#demands")
    stranger = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    stranger.goto(shared_url)
    for name, size in SIZES.items():
        phone.set_viewport_size(size)
        expect(demands.locator(".demand").first).to_contain_text("Member 1")
        expect(demands.locator(".demand").last).to_contain_text("Alice (you)")
        expect(demands.locator(".comments").last).to_contain_text("Member 1 Same arms here")
        assert "Bob" not in phone.locator("main").inner_text()
        assert page_overflow(phone) <= 0, f"the circle page scrolls sideways at {name} size"
        keep(phone, "circle-private")
        stranger.set_viewport_size(size)
        expect(stranger.locator("h1")).to_have_text("Stool")
        expect(stranger.get_by_text("Shared with you")).to_be_visible()
        body = stranger.locator("body").inner_text()
        assert world.alice.user.name not in body
        assert world.alice.user.email not in body
        assert page_overflow(stranger) <= 0, f"the share page scrolls sideways at {name} size"
        keep(stranger, "shared-order")
    stranger.context.close()
