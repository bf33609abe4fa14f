"""The owner's two pictures of a run, as inline SVG: the coverage curve and the demand map."""

from __future__ import annotations

from typing import Any

from c2m.domains.circles.models import AggregationRun

SIZE, PAD = 320, 16
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def curve_svg(run: AggregationRun) -> str:
    # Imported here: the engine's pictures need numpy, which no other page of the web tier does.
    from c2m.engines.aggregation.choose import CurvePoint
    from c2m.engines.aggregation.pictures import coverage_svg

    points = [CurvePoint(p["k"], p["coverage"], p["mismatch"]) for p in run.curve]
    return coverage_svg([("coverage", points)], "Share of demand within tolerance")


def map_svg(run: AggregationRun) -> str:
    """Each demand a dot coloured by its model; each model a labelled square."""
    shown: dict[str, Any] = run.map
    xs = shown["x"] + shown["model_x"]
    ys = shown["y"] + shown["model_y"]
    low_x, low_y = min(xs), min(ys)
    span = max(max(xs) - low_x, max(ys) - low_y) or 1.0

    def at(x: float, y: float) -> tuple[float, float]:
        scale = SIZE - 2 * PAD
        return PAD + (x - low_x) / span * scale, SIZE - PAD - (y - low_y) / span * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        'aria-label="Demands coloured by model" class="demand-map">',
        f'<rect width="{SIZE}" height="{SIZE}" fill="white" stroke="#ddd"/>',
    ]
    for x, y, label in zip(shown["x"], shown["y"], shown["labels"], strict=True):
        cx, cy = at(x, y)
        colour = COLOURS[label % len(COLOURS)]
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}"/>')
    for index, (x, y) in enumerate(zip(shown["model_x"], shown["model_y"], strict=True)):
        cx, cy = at(x, y)
        parts.append(
            f'<rect x="{cx - 6:.1f}" y="{cy - 6:.1f}" width="12" height="12" fill="none" '
            f'stroke="black" stroke-width="2"/><text x="{cx + 8:.1f}" y="{cy + 4:.1f}" '
            f'font-size="11">{index + 1}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
