"""The packing label of a unit: a QR code of its URL (its passport), its name and serial, as an
SVG the packing station prints at 100 by 50 mm. Scanning it opens the unit's public passport."""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from c2m.engines.credentials.passport import UnitFacts

WIDTH_MM, HEIGHT_MM, QR_MM, MARGIN_MM = 100, 50, 42, 4


def label_svg(facts: UnitFacts) -> str:
    """The label; the QR code at error correction level M survives a scuffed box."""
    import segno  # made here only: the web process imports this module for every request

    code = segno.make(facts.unit_url, error="m", boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, scale=1, border=0)
    path = re.search(rb' d="([^"]+)"', out.getvalue())
    assert path is not None
    modules = code.symbol_size(scale=1, border=0)[0]
    scale = QR_MM / modules
    text_x = MARGIN_MM * 2 + QR_MM
    lines = [
        (11, 5.2, "600", "sans-serif", facts.product_name[:28]),
        (19, 4.4, "400", "monospace", facts.serial),
        (27, 3.4, "400", "sans-serif", f"Made by {facts.maker.name}"[:40]),
        (42, 3.2, "400", "sans-serif", "Scan for its passport"),
    ]
    texts = "".join(
        f'<text x="{text_x}" y="{y}" font-size="{size}" font-weight="{weight}" '
        f'font-family="{family}">{escape(text)}</text>'
        for y, size, weight, family, text in lines
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{HEIGHT_MM}mm" '
        f'viewBox="0 0 {WIDTH_MM} {HEIGHT_MM}" role="img" '
        f'aria-label="{escape(facts.product_name)}, serial {facts.serial}">'
        f'<rect width="{WIDTH_MM}" height="{HEIGHT_MM}" fill="#fff"/>'
        f'<path transform="translate({MARGIN_MM} {MARGIN_MM}) scale({scale:.4f})" '
        f'stroke="#000" fill="none" d="{path.group(1).decode()}"/>'
        f"{texts}</svg>"
    )
