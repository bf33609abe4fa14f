"""What makes a chart readable, measured in the browser: the rendered size of its text (SVG
text scaled by its viewBox included), boxes inside boxes, and screenshots at both sizes."""

from __future__ import annotations

import os
from itertools import pairwise
from pathlib import Path

from playwright.sync_api import Locator, Page

from tests.e2e.conftest import PHONE

LAPTOP = {"width": 1366, "height": 900}
SIZES = {"phone": PHONE, "laptop": LAPTOP}
READABLE_PX = 12
SCREENSHOT_DIR = os.environ.get("C2M_E2E_SCREENSHOTS")

# Every element with its own visible text under ``root``: its font size times the scale the
# SVG's viewBox applies (getScreenCTM), i.e. the size a person sees.
_TEXT_SIZES = """root => Array.from(root.querySelectorAll('*'))
  .filter(e => e.getClientRects().length &&
    Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(e => {
    const m = e.getScreenCTM ? e.getScreenCTM() : null;
    const scale = m ? Math.hypot(m.a, m.b) : 1;
    return [e.textContent.trim(), parseFloat(getComputedStyle(e).fontSize) * scale];
  })"""


def small_text(chart: Locator) -> list[tuple[str, float]]:
    """The texts of ``chart`` drawn smaller than READABLE_PX (with their size)."""
    sizes: list[tuple[str, float]] = chart.evaluate(_TEXT_SIZES)
    assert sizes, "the chart has no text at all"
    return [(text, size) for text, size in sizes if size < READABLE_PX - 0.01]


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, "not rendered"
    return found


_RECT = (
    "e => { const r = e.getBoundingClientRect(); "
    "return {x: r.x, y: r.y, width: r.width, height: r.height}; }"
)
Box = dict[str, float]


def boxes(locator: Locator) -> list[Box]:
    """The boxes of everything ``locator`` matches, read in one go: a live page that redraws
    between two reads cannot leave one of them without a box."""
    found: list[Box] = locator.evaluate_all(f"els => els.map({_RECT})")
    return found


def nested_boxes(
    page: Page, outer: str, inner: str
) -> list[tuple[dict[str, float], list[dict[str, float]]]]:
    """Each ``outer`` element's box with the boxes of its ``inner`` ones, read in one go."""
    found = page.evaluate(
        f"""() => [...document.querySelectorAll({outer!r})].map(o => [({_RECT})(o),
             [...o.querySelectorAll({inner!r})].map({_RECT})])"""
    )
    return [(o, list(i)) for o, i in found]


def inside(inner: dict[str, float], outer: dict[str, float], slack: float = 0.5) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
    )


def overlapping(boxes: list[dict[str, float]]) -> bool:
    """Whether any two of ``boxes``, left to right, overlap across."""
    ordered = sorted(boxes, key=lambda b: b["x"])
    return any(a["x"] + a["width"] > b["x"] for a, b in pairwise(ordered))


def page_overflow(page: Page) -> float:
    return float(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def keep(page: Page, name: str) -> None:
    """A full-page screenshot at the current size, kept under ``C2M_E2E_SCREENSHOTS`` when set."""
    if not SCREENSHOT_DIR:
        return
    Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}-{width}.png"), full_page=True)
