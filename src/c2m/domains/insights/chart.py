"""The scorecard as a picture: each micro-enterprise, product or circle a point, enterprise value
across and user value up, in four quadrants, with an arrow from where it stood the period
before."""

from __future__ import annotations

from html import escape

from c2m.domains.insights.scorecard import Point

SIZE, PAD = 360, 36  # a phone draws the viewBox at ~0.95x: 13-unit text stays above 12 px
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
QUADRANTS = (
    (0.25, 0.25, "Neither yet"),
    (0.75, 0.25, "Earns, not loved"),
    (0.25, 0.75, "Loved, not earning"),
    (0.75, 0.75, "Loved and earning"),
)


def _at(position: tuple[float, float]) -> tuple[float, float]:
    enterprise, user = position
    scale = SIZE - 2 * PAD
    return PAD + enterprise / 100 * scale, SIZE - PAD - user / 100 * scale


def scorecard_svg(rows: list[tuple[Point, Point]], units: str = "Micro-enterprises") -> str:
    """Inline SVG of ``units`` (their name, for people who cannot see it); points without
    enough data are left out (the list under it says so)."""
    inner = SIZE - 2 * PAD
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        f'aria-label="{escape(units)} by enterprise value and user value" class="scorecard">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker></defs>',
        f'<rect x="{PAD}" y="{PAD}" width="{inner}" height="{inner}" fill="white" stroke="#ccc"/>',
        f'<line x1="{PAD + inner / 2}" y1="{PAD}" x2="{PAD + inner / 2}" y2="{PAD + inner}" '
        'stroke="#ddd" stroke-dasharray="4 3"/>',
        f'<line x1="{PAD}" y1="{PAD + inner / 2}" x2="{PAD + inner}" y2="{PAD + inner / 2}" '
        'stroke="#ddd" stroke-dasharray="4 3"/>',
    ]
    for across, up, label in QUADRANTS:
        x, y = _at((across * 100, up * 100))
        parts.append(
            f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="middle" font-size="13" '
            f'fill="#aaa">{label}</text>'
        )
    parts += [
        f'<text x="{SIZE / 2}" y="{SIZE - 8}" text-anchor="middle" font-size="13" '
        'fill="#555">Enterprise value →</text>',
        f'<text x="12" y="{SIZE / 2}" text-anchor="middle" font-size="13" fill="#555" '
        f'transform="rotate(-90 12 {SIZE / 2})">User value →</text>',
    ]
    for number, (now, before) in enumerate(rows):
        if now.position is None:
            continue
        x, y = _at(now.position)
        colour = COLOURS[number % len(COLOURS)]
        if before.position is not None:
            bx, by = _at(before.position)
            parts.append(
                f'<line x1="{bx:.1f}" y1="{by:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#888" '
                'stroke-width="1.5" marker-end="url(#arrow)"/>'
            )
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}"/>')
        right = x < SIZE * 0.6  # a name on the right half reads leftwards, inside the chart
        parts.append(
            f'<text x="{x + 9 if right else x - 9:.1f}" y="{y - 8:.1f}" font-size="13" '
            f'fill="#222" text-anchor="{"start" if right else "end"}">{escape(now.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
