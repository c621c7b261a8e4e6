"""Small server-side SVG charts, accessible and CSP-safe, shared by every app.

- ``stacked_bar_chart``: vertical bars made of stacked segments (e.g. funding per contract year by kind);
- ``horizontal_bar_chart``: one labelled bar per item (e.g. an indicator of the territory against its département,
  région and France, each level with its own pattern).

The SVG is returned as a safe string to put straight in a template. Accessibility: ``role="img"`` with a
``<title>`` and a ``<desc>`` referenced by ``aria-labelledby``; every series also has a fill *pattern* and a legend,
and totals are written above the bars, so colour is never the only cue. No ``style`` attribute and no script,
so a strict Content-Security-Policy accepts it. The page should still show the figures in a table: a chart
illustrates, the table is the accessible reference.

Geometry uses floats (pixels); the values themselves may be ``Decimal`` and are only converted for drawing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cpts_portal.formatting import format_number

# Colour-blind-safe palette (Okabe–Ito) paired with a distinct pattern per series.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
PATTERNS = ["solid", "diagonal", "dots", "horizontal", "crosshatch", "vertical", "antidiagonal", "grid"]
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    """One stacked segment kind: its legend label and one value per category."""

    label: str
    values: Sequence[Decimal | int | float]


def _number(value) -> float:
    return float(value or 0)


def _default_format(value) -> str:
    return format_number(value)


def _pattern_defs(prefix: str, count: int) -> str:
    parts = []
    for index in range(count):
        colour = PALETTE[index % len(PALETTE)]
        kind = PATTERNS[index % len(PATTERNS)]
        marks = {
            "solid": "",
            "diagonal": '<path d="M-1,1 l2,-2 M0,8 l8,-8 M7,9 l2,-2" stroke="#fff" stroke-width="1.5"/>',
            "antidiagonal": '<path d="M-1,7 l2,2 M0,0 l8,8 M7,-1 l2,2" stroke="#fff" stroke-width="1.5"/>',
            "dots": '<circle cx="4" cy="4" r="1.6" fill="#fff"/>',
            "horizontal": '<path d="M0,4 h8" stroke="#fff" stroke-width="1.5"/>',
            "vertical": '<path d="M4,0 v8" stroke="#fff" stroke-width="1.5"/>',
            "crosshatch": '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="#fff" stroke-width="1.2"/>',
            "grid": '<path d="M0,4 h8 M4,0 v8" stroke="#fff" stroke-width="1.2"/>',
        }[kind]
        parts.append(
            f'<pattern id="{prefix}-p{index}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{marks}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def _open(prefix: str, width: int, height: int, title: str, desc: str, css_class: str) -> str:
    # Browsers take system-ui; WeasyPrint (the PDF dossiers carry the diagnostic's charts) the fonts it has.
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'font-family="system-ui, DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="12">'
        f'<title id="{prefix}-title">{escape(title)}</title><desc id="{prefix}-desc">{escape(desc)}</desc>'
    )


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    # Maxima whose quarter is a round number, for the 4 gridlines.
    for step in (1, 1.2, 1.6, 2, 2.4, 3.2, 4, 6, 8, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def stacked_bar_chart(
    *,
    categories: Sequence[str],
    series: Sequence[Series],
    title: str,
    desc: str,
    value_format: Callable[[object], str] = _default_format,
    unit: str = "",
    width: int = 640,
    height: int = 320,
    css_class: str = "chart chart-stacked",
) -> SafeString:
    """Vertical stacked bars, one per category, with a legend and the total written above each bar."""
    prefix = f"chart{next(_ids)}"
    left, right, top = 70, 10, 24
    plot_w = width - left - right
    # Legend columns wide enough for the longest label (about 7 px a character at 12 px).
    column_w = max((len(s.label) * 7 + 28 for s in series), default=1)
    columns = max(1, min(len(series), int(plot_w // column_w)))
    legend_rows = (len(series) + columns - 1) // columns
    bottom = 40 + 18 * legend_rows
    plot_h = height - top - bottom
    totals = [sum(_number(s.values[i]) for s in series) for i in range(len(categories))]
    vmax = _nice_max(max(totals, default=0))
    out = [_open(prefix, width, height, title, desc, css_class), _pattern_defs(prefix, len(series))]
    # Axis and 4 gridlines with their values.
    for step in range(5):
        value = vmax * step / 4
        y = top + plot_h - plot_h * step / 4
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ccc" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333">'
            f"{escape(value_format(value))}</text>"
        )
    slot = plot_w / max(len(categories), 1)
    bar_w = min(slot * 0.6, 80)
    for index, category in enumerate(categories):
        x = left + slot * index + (slot - bar_w) / 2
        y = top + plot_h
        out.append(f'<g class="chart-bar"><title>{escape(category)}</title>')
        for s_index, s in enumerate(series):
            value = _number(s.values[index])
            if value <= 0:
                continue
            h = plot_h * value / vmax
            y -= h
            label = f"{s.label} : {value_format(s.values[index])}{unit}"
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="url(#{prefix}-p{s_index})" stroke="#fff" stroke-width="0.5">'
                f"<title>{escape(label)}</title></rect>"
            )
        out.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 5:.1f}" text-anchor="middle" font-weight="bold" fill="#111">'
            f"{escape(value_format(totals[index]))}{escape(unit)}</text>"
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16:.1f}" text-anchor="middle" fill="#111">'
            f"{escape(category)}</text></g>"
        )
    # Legend: swatch with the same pattern, and the label.
    for s_index, s in enumerate(series):
        col, row = s_index % columns, s_index // columns
        lx, ly = left + col * (plot_w / columns), top + plot_h + 34 + row * 18
        out.append(
            f'<rect x="{lx:.1f}" y="{ly - 10:.1f}" width="14" height="14" fill="url(#{prefix}-p{s_index})" '
            f'stroke="#333" stroke-width="0.5"/><text x="{lx + 20:.1f}" y="{ly + 1:.1f}" fill="#111">'
            f"{escape(s.label)}</text>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 -- every text above went through escape()


@dataclass(frozen=True)
class Bar:
    """One bar of ``horizontal_bar_chart``. ``value`` None: "pas de données" is written instead of a bar.
    ``pattern``: the fill (colour and pattern) index, so items of different kinds differ without colour;
    ``emphasis``: the value in bold (the territory among its comparison levels)."""

    label: str
    value: Decimal | int | float | None
    pattern: int = 0
    emphasis: bool = False


def horizontal_bar_chart(
    *,
    items: Sequence[Bar | tuple[str, Decimal | int | float | None]],
    title: str,
    desc: str,
    value_format: Callable[[object], str] = _default_format,
    unit: str = "",
    axis_label: str = "",
    width: int = 640,
    bar_height: int = 22,
    label_width: int = 200,
    css_class: str = "chart chart-horizontal",
) -> SafeString:
    """One horizontal bar per item, the value written at the end of each bar; an item without a value says "pas de
    données". ``unit`` follows each value; ``axis_label`` (e.g. the indicator's unit) is written under the bars."""
    bars = [item if isinstance(item, Bar) else Bar(*item) for item in items]
    prefix = f"chart{next(_ids)}"
    gap, top = 8, 8
    rows_h = len(bars) * (bar_height + gap)
    height = top * 2 + rows_h + (18 if axis_label else 0)
    plot_w = width - label_width - 90
    vmax = _nice_max(max((_number(b.value) for b in bars), default=0))
    patterns = max((b.pattern for b in bars), default=0) + 1
    out = [_open(prefix, width, height, title, desc, css_class), _pattern_defs(prefix, patterns)]
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        baseline = f"{y + bar_height * 0.7:.1f}"
        out.append(
            f'<g class="chart-bar"><text x="{label_width - 8}" y="{baseline}" text-anchor="end" '
            f'fill="#111">{escape(bar.label)}</text>'
        )
        if bar.value is None:
            out.append(
                f'<text x="{label_width + 4}" y="{baseline}" fill="#555" font-style="italic">pas de données</text></g>'
            )
            continue
        w = plot_w * max(_number(bar.value), 0) / vmax
        text = f"{value_format(bar.value)}{unit}"
        weight = ' font-weight="bold"' if bar.emphasis else ""
        out.append(
            f'<rect x="{label_width}" y="{y}" width="{max(w, 1.5):.1f}" height="{bar_height}" '
            f'fill="url(#{prefix}-p{bar.pattern})" stroke="#333" stroke-width="0.5">'
            f"<title>{escape(bar.label)} : {escape(text)}</title></rect>"
            f'<text x="{label_width + w + 6:.1f}" y="{baseline}" fill="#111"{weight}>{escape(text)}</text></g>'
        )
    out.append(
        f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{top + rows_h - gap + 4}" '
        'stroke="#333" stroke-width="1"/>'
    )
    if axis_label:
        out.append(
            f'<text x="{label_width}" y="{top + rows_h + 12}" fill="#333" font-size="11">{escape(axis_label)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 -- every text above went through escape()
