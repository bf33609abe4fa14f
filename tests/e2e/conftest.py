"""A real Chromium (Debian's, never one downloaded by Playwright) at a phone's viewport.

Without /usr/bin/chromium the browser tests skip, unless ``C2M_REQUIRE_BROWSER=1`` (set in CI by
.ci/run), where a missing browser is a failure: a green run must mean the page was really driven.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path(os.environ.get("C2M_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("C2M_REQUIRE_BROWSER") == "1"
PHONE = {"width": 390, "height": 844}
# Assertions wait as long as actions do: three test processes share two cores, and a page's
# round trip (a preview, a live timeline) can take longer than Playwright's default 5 s.
expect.set_options(timeout=10_000)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(reason + " and C2M_REQUIRE_BROWSER=1")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) sized and behaving like a phone."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


SCREENS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}


@pytest.fixture(params=sorted(SCREENS))
def screen(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A fresh browser context at a phone's or a laptop's size."""
    size = SCREENS[request.param]
    context = browser.new_context(
        viewport=size, device_scale_factor=1, is_mobile=size["width"] < 500, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
