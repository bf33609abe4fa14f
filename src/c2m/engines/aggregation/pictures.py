"""The two pictures of an aggregation: the coverage curve (share of demand within tolerance
against the number of models) and a flat map of the demands coloured by model.

The curve is also drawn as a small stand-alone SVG (no browser, no download) for documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from c2m.engines.aggregation.choose import CurvePoint
from c2m.engines.aggregation.report import Aggregation

if TYPE_CHECKING:
    import plotly.graph_objects as go

MAP_POINTS = 20_000  # demands drawn on the map; more only slow the browser down
MARGIN = 56
DIGIT_EM = 0.6  # a digit's width in sans-serif, in font sizes


@dataclass(frozen=True)
class ChartSize:
    """The drawing's box and text size: a document shows it 1:1, a page scales the viewBox to
    its column, so a page asks for a box about as wide as the column it gets."""

    width: int = 640
    height: int = 400
    font: int = 12


def _k_ticks(low: int, high: int, room: float) -> list[int]:
    """Both ends and the round values of k (multiples of 1, 2, 5, 10...) between them, each
    at least ``room`` (a label's width, in k) from the next."""
    step = next(s * 10**e for e in range(6) for s in (1, 2, 5) if s * 10**e >= room)
    inner = (k for k in range(low, high + 1) if k % step == 0)
    return sorted({low, high, *(k for k in inner if min(k - low, high - k) >= room)})


def coverage_svg(
    curves: Sequence[tuple[str, Sequence[CurvePoint]]],
    title: str,
    target: float | None = None,
    size: ChartSize = ChartSize(),
) -> str:
    """Coverage (0-100 %) against k, one polyline per named curve."""
    ks = [p.k for _, points in curves for p in points]
    low, high = min(ks), max(ks)
    span = max(1, high - low)
    width, height, font = size.width, size.height, size.font

    def x(k: int) -> float:
        return MARGIN + (k - low) / span * (width - 2 * MARGIN)

    def y(share: float) -> float:
        return height - MARGIN - share * (height - 2 * MARGIN)

    colours = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="{font}">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="{font + 2}">'
        f"{escape(title)}</text>",
    ]
    for tick in range(0, 101, 20):
        at = y(tick / 100)
        parts.append(
            f'<line x1="{MARGIN}" x2="{width - MARGIN}" y1="{at:.1f}" y2="{at:.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{MARGIN - 6}" y="{at + 4:.1f}" text-anchor="end">{tick} %</text>'
        )
    label = len(str(high)) * DIGIT_EM * font + font / 2  # the widest k label and a gap
    for k in _k_ticks(low, high, label * span / (width - 2 * MARGIN)):
        parts.append(
            f'<text x="{x(k):.1f}" y="{height - MARGIN + font + 6}" text-anchor="middle">{k}</text>'
        )
    parts.append(f'<text x="{width / 2}" y="{height - 12}" text-anchor="middle">models (k)</text>')
    if target is not None:
        parts.append(
            f'<line x1="{MARGIN}" x2="{width - MARGIN}" y1="{y(target):.1f}" '
            f'y2="{y(target):.1f}" stroke="#888" stroke-dasharray="4 4"/>'
        )
    for number, (name, points) in enumerate(curves):
        colour = colours[number % len(colours)]
        path = " ".join(f"{x(p.k):.1f},{y(p.coverage):.1f}" for p in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.extend(  # a dot per k tried: one k alone is still seen
            f'<circle cx="{x(p.k):.1f}" cy="{y(p.coverage):.1f}" r="3" fill="{colour}"/>'
            for p in points
        )
        legend_y = MARGIN + (font + 4) * number
        parts.append(
            f'<rect x="{MARGIN + 10}" y="{legend_y - 9}" width="12" height="3" fill="{colour}"/>'
            f'<text x="{MARGIN + 28}" y="{legend_y}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def aggregation_figure(aggregation: Aggregation, title: str = "") -> go.Figure:
    # Imported here, the only user: pages draw ``coverage_svg`` and never load plotly.
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Coverage against the number of models", "Demands by model"),
    )
    curve = aggregation.curve
    figure.add_trace(
        go.Scatter(
            x=[p.k for p in curve],
            y=[100 * p.coverage for p in curve],
            mode="lines+markers",
            name="coverage %",
        ),
        row=1,
        col=1,
    )
    shown = np.arange(len(aggregation.demands))
    if shown.size > MAP_POINTS:
        shown = np.random.default_rng(0).choice(shown, size=MAP_POINTS, replace=False)
    for model in aggregation.models:
        mine = shown[aggregation.labels[shown] == model.index]
        figure.add_trace(
            go.Scattergl(
                x=aggregation.map.x[mine],
                y=aggregation.map.y[mine],
                mode="markers",
                marker={"size": 4, "opacity": 0.6},
                name=f"model {model.index + 1} ({model.demands} demands)",
                text=[aggregation.demands[i].id for i in mine],
            ),
            row=1,
            col=2,
        )
    figure.add_trace(
        go.Scatter(
            x=aggregation.map.model_x,
            y=aggregation.map.model_y,
            mode="markers+text",
            marker={"symbol": "x", "size": 12, "color": "black"},
            text=[str(model.index + 1) for model in aggregation.models],
            textposition="top center",
            name="models",
        ),
        row=1,
        col=2,
    )
    figure.update_xaxes(title_text="models (k)", row=1, col=1)
    figure.update_yaxes(title_text="within tolerance (% of demand)", range=[0, 100], row=1, col=1)
    figure.update_layout(title=title or "Demand aggregation", height=560)
    return figure


def write_plot(aggregation: Aggregation, path: Path, title: str = "") -> None:
    aggregation_figure(aggregation, title).write_html(path, include_plotlyjs=True)
