"""The two pictures of an aggregation: the coverage curve (share of demand within tolerance
against the number of models) and a flat map of the demands coloured by model.

The curve is also drawn as a small stand-alone SVG (no browser, no download) for documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from c2m.engines.aggregation.choose import CurvePoint
from c2m.engines.aggregation.report import Aggregation

if TYPE_CHECKING:
    import plotly.graph_objects as go

MAP_POINTS = 20_000  # demands drawn on the map; more only slow the browser down
WIDTH, HEIGHT, MARGIN = 640, 400, 56


def coverage_svg(
    curves: Sequence[tuple[str, Sequence[CurvePoint]]], title: str, target: float | None = None
) -> str:
    """Coverage (0-100 %) against k, one polyline per named curve."""
    ks = [p.k for _, points in curves for p in points]
    low, high = min(ks), max(ks)
    span = max(1, high - low)

    def x(k: int) -> float:
        return MARGIN + (k - low) / span * (WIDTH - 2 * MARGIN)

    def y(share: float) -> float:
        return HEIGHT - MARGIN - share * (HEIGHT - 2 * MARGIN)

    colours = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="14">{escape(title)}</text>',
    ]
    for tick in range(0, 101, 20):
        at = y(tick / 100)
        parts.append(
            f'<line x1="{MARGIN}" x2="{WIDTH - MARGIN}" y1="{at:.1f}" y2="{at:.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{MARGIN - 6}" y="{at + 4:.1f}" text-anchor="end">{tick} %</text>'
        )
    for k in sorted(set(ks)):
        if k in (low, high) or k % 5 == 0:
            parts.append(
                f'<text x="{x(k):.1f}" y="{HEIGHT - MARGIN + 18}" text-anchor="middle">{k}</text>'
            )
    parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT - 12}" text-anchor="middle">models (k)</text>')
    if target is not None:
        parts.append(
            f'<line x1="{MARGIN}" x2="{WIDTH - MARGIN}" y1="{y(target):.1f}" '
            f'y2="{y(target):.1f}" stroke="#888" stroke-dasharray="4 4"/>'
        )
    for number, (name, points) in enumerate(curves):
        colour = colours[number % len(colours)]
        path = " ".join(f"{x(p.k):.1f},{y(p.coverage):.1f}" for p in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        legend_y = MARGIN + 16 * number
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
