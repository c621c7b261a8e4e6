"""Server-side SVG charts of the diagnostic: one indicator, the territory against its comparison levels.

The same SVG goes into the page and into the PDF dossiers. Readable without colour: each level has its own
fill pattern (solid, hatched, dotted, outline), its name beside the bar and its value written at the end of
the bar; the page puts the figures in a table beside the chart. No ``style`` attribute and no script (the
Content-Security-Policy forbids inline styles): only SVG presentation attributes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cpts_portal.formatting import format_number

INK = "#1b1b3a"
# level kind -> (pattern, legend word): the pattern, not the colour, tells the levels apart.
LEVEL_STYLES = {
    "territory": "solid",
    "departement": "hatch",
    "region": "dots",
    "france": "outline",
}
_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    kind: str = "territory"


def _defs(prefix: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{prefix}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="3" height="6" fill="{INK}"/></pattern>'
        f'<pattern id="{prefix}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.5" fill="{INK}"/></pattern>'
        "</defs>"
    )


def _fill(prefix: str, kind: str) -> str:
    style = LEVEL_STYLES.get(kind, "solid")
    if style == "solid":
        return INK
    if style == "outline":
        return "#ffffff"
    return f"url(#{prefix}-{style})"


def comparison_chart(
    bars: Sequence[Bar], *, title: str, unit: str, description: str = "", decimals: int = 1
) -> SafeString:
    """Horizontal bars, one per level; levels without data are listed with "pas de données"."""
    prefix = f"dchart{next(_ids)}"
    label_width, value_width, bar_area, bar_height, gap, top = 190, 110, 300, 22, 10, 8
    width = label_width + bar_area + value_width
    height = top + len(bars) * (bar_height + gap) + 24
    values = [float(b.value) for b in bars if b.value is not None]
    scale_max = max([v for v in values if v > 0], default=1.0)
    desc = description or "; ".join(
        f"{b.label} : {format_number(b.value, decimals) + ' ' + unit if b.value is not None else 'pas de données'}"
        for b in bars
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagnostic-chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="12">',
        f'<title id="{prefix}-title">{escape(title)}</title><desc id="{prefix}-desc">{escape(desc)}</desc>',
        _defs(prefix),
    ]
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height / 2 + 4:.1f}" text-anchor="end" fill="{INK}">'
            f"{escape(bar.label)}</text>"
        )
        if bar.value is None:
            parts.append(
                f'<text x="{label_width + 4}" y="{y + bar_height / 2 + 4:.1f}" fill="#555555" '
                f'font-style="italic">pas de données</text>'
            )
            continue
        length = max(0.0, float(bar.value)) / scale_max * bar_area if scale_max else 0.0
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{max(length, 1.5):.1f}" height="{bar_height}" '
            f'fill="{_fill(prefix, bar.kind)}" stroke="{INK}" stroke-width="1.2"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar_height / 2 + 4:.1f}" fill="{INK}" '
            f'font-weight="{"bold" if bar.kind == "territory" else "normal"}">'
            f"{escape(format_number(bar.value, decimals))}</text>"
        )
    axis_y = top + len(bars) * (bar_height + gap)
    parts.append(
        f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{axis_y - gap + 4}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    parts.append(f'<text x="{label_width}" y="{axis_y + 12}" fill="#333333" font-size="11">{escape(unit)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
