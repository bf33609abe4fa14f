"""The owner's two pictures of a run, as inline SVG: the coverage curve and the demand map.

Both are drawn in a viewBox about as wide as a phone's column (~310 px), with 14-unit text, so
no label falls under 12 px on screen at any width the page gives them."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from c2m.domains.circles.models import AggregationRun

WIDTH, FONT = 340, 14
LEFT, RIGHT, TOP, PLOT_HEIGHT, BELOW = 58, 12, 12, 240, 46
LEGEND_ROW, LEGEND_COLUMNS, LEGEND_INDENT = 22, 2, 8
PADDING = 0.08  # of each axis's range, so no point sits on the frame
FLATTEST = 0.1  # an axis spans at least this share of the other: rounding noise is not spread
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
X_NAME = "Main difference between demands →"
Y_NAME = "Second difference →"


def curve_svg(run: AggregationRun) -> str:
    # Imported here: the engine's pictures need numpy, which no other page of the web tier does.
    from c2m.engines.aggregation.choose import CurvePoint
    from c2m.engines.aggregation.pictures import ChartSize, coverage_svg

    points = [CurvePoint(p["k"], p["coverage"], p["mismatch"]) for p in run.curve]
    return coverage_svg(
        [("coverage", points)], "Share of demand within tolerance", size=ChartSize(WIDTH, 260, FONT)
    )


def _ticks(low: float, high: float) -> list[tuple[float, str]]:
    """The fewest round values (1, 2 or 5 times a power of ten apart), at least three, inside
    [low, high], each with its label written to the step's decimals."""
    power = 10 ** math.floor(math.log10(high - low))
    for step in (power * m for m in (5, 2, 1, 0.5, 0.2, 0.1)):
        values = [n * step for n in range(math.ceil(low / step), math.floor(high / step) + 1)]
        if len(values) >= 3:
            break
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return [(v, f"{v:.{decimals}f}".replace("-", "\N{MINUS SIGN}")) for v in values]


def _ranges(xs: list[float], ys: list[float]) -> tuple[tuple[float, float], tuple[float, float]]:
    """Each axis fitted to its own data with a margin; the two are not to one scale."""
    spans = (max(xs) - min(xs), max(ys) - min(ys))
    floor = max(spans) * FLATTEST or 1.0
    fitted = []
    for values, span in zip((xs, ys), spans, strict=True):
        middle, half = (max(values) + min(values)) / 2, max(span, floor) / 2 * (1 + 2 * PADDING)
        fitted.append((middle - half, middle + half))
    return fitted[0], fitted[1]


def map_svg(run: AggregationRun) -> str:
    """Each demand a dot coloured by its model; each model a numbered square; axes and a legend."""
    shown: dict[str, Any] = run.map
    (x_low, x_high), (y_low, y_high) = _ranges(
        shown["x"] + shown["model_x"], shown["y"] + shown["model_y"]
    )
    plot_width = WIDTH - LEFT - RIGHT
    models = len(shown["model_x"])
    rows = math.ceil((models + 1) / LEGEND_COLUMNS)
    height = TOP + PLOT_HEIGHT + BELOW + rows * LEGEND_ROW

    def at(x: float, y: float) -> tuple[float, float]:
        return (
            LEFT + (x - x_low) / (x_high - x_low) * plot_width,
            TOP + PLOT_HEIGHT - (y - y_low) / (y_high - y_low) * PLOT_HEIGHT,
        )

    bottom = TOP + PLOT_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Demands coloured by model, on the two main ways they differ" '
        f'class="demand-map" font-size="{FONT}">',
        f'<rect class="plot" x="{LEFT}" y="{TOP}" width="{plot_width}" height="{PLOT_HEIGHT}" '
        'fill="white" stroke="#c9ced6"/>',
        '<g class="axis x-axis" text-anchor="middle" fill="#5b6470">',
    ]
    for tick, text in _ticks(x_low, x_high):
        x, _ = at(tick, y_low)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{bottom}" stroke="#eef1f4"/>'
            f'<text class="tick" x="{x:.1f}" y="{bottom + 17}">{text}</text>'
        )
    parts.append(
        f'<text class="axis-name" x="{LEFT + plot_width / 2}" y="{bottom + 37}" '
        f'fill="#1b1f24">{X_NAME}</text></g>'
    )
    parts.append('<g class="axis y-axis" text-anchor="end" fill="#5b6470">')
    for tick, text in _ticks(y_low, y_high):
        _, y = at(x_low, tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_width}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#eef1f4"/><text class="tick" x="{LEFT - 5}" y="{y + 5:.1f}">'
            f"{text}</text>"
        )
    middle = TOP + PLOT_HEIGHT / 2
    parts.append(
        f'<text class="axis-name" x="17" y="{middle}" text-anchor="middle" fill="#1b1f24" '
        f'transform="rotate(-90 17 {middle})">{Y_NAME}</text></g>'
    )
    for x, y, label in zip(shown["x"], shown["y"], shown["labels"], strict=True):
        cx, cy = at(x, y)
        colour = COLOURS[label % len(COLOURS)]
        parts.append(
            f'<circle class="demand" cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}" '
            'fill-opacity=".8"/>'
        )
    for index, (x, y) in enumerate(zip(shown["model_x"], shown["model_y"], strict=True)):
        cx, cy = at(x, y)
        parts.append(
            f'<rect class="model" x="{cx - 6:.1f}" y="{cy - 6:.1f}" width="12" height="12" '
            f'fill="none" stroke="black" stroke-width="2"/><text x="{cx + 9:.1f}" y="{cy + 5:.1f}" '
            'font-weight="600" stroke="white" stroke-width="3" paint-order="stroke">'
            f"{index + 1}</text>"
        )
    parts.append(_legend(Counter(shown["labels"]), models, bottom + BELOW))
    parts.append("</svg>")
    return "".join(parts)


def _legend(counts: Counter[int], models: int, top: float) -> str:
    """What the colours and the squares mean, in two columns under the plot."""
    column = (WIDTH - LEGEND_INDENT) / LEGEND_COLUMNS
    parts = ['<g class="legend">']
    for item in range(models + 1):
        x = LEGEND_INDENT + 5 + item % LEGEND_COLUMNS * column
        y = top + item // LEGEND_COLUMNS * LEGEND_ROW + 14
        if item == models:
            mark = (
                f'<rect x="{x - 5}" y="{y - 10}" width="10" height="10" fill="none" '
                'stroke="black" stroke-width="2"/>'
            )
            words = "a model, by number"
        else:
            colour = COLOURS[item % len(COLOURS)]
            mark = f'<circle cx="{x}" cy="{y - 5}" r="5" fill="{colour}"/>'
            words = f"model {item + 1} ({counts[item]})"
        parts.append(f'{mark}<text x="{x + 10}" y="{y}">{words}</text>')
    parts.append("</g>")
    return "".join(parts)
