"""The territory drawn as SVG from the communes' outlines (WKB, WGS 84), with shapely and no PostGIS.

The territory's communes are filled, those it shares with another CPTS are hatched over, communes in part are
dotted, neighbouring communes are grey; a scale bar, a north arrow and a legend follow. Outlines are
simplified to half a pixel at drawing time, so the SVG stays small whatever the zoom. The same SVG is used on
the page and in the PDF (presentation attributes only: the strict CSP forbids ``style``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1b1b3a"
TERRITORY_FILL = "#8fb3d9"
NEIGHBOUR_FILL = "#d9d9d9"
KM_PER_DEGREE = 111.32
NICE_KM = [0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500]
_ids = itertools.count(1)


@dataclass(frozen=True)
class MapCommune:
    name: str
    wkb: bytes | memoryview | None
    role: str = "territory"  # territory | neighbour
    is_partial: bool = False
    is_shared: bool = False  # also (whole or in part) in another CPTS's territory


def _path(geometry) -> str:
    import numpy as np  # see territory_map

    parts = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.asarray(ring.coords)
            if len(coords) < 3:
                continue
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords[:-1])
            parts.append(f"M{points}Z")
    return "".join(parts)


def _nice_km(target_km: float) -> float:
    return min(NICE_KM, key=lambda km: abs(math.log(km / target_km))) if target_km > 0 else 1.0


def _km_label(km: float) -> str:
    return (f"{km:g}".replace(".", ",")) + " km"


def territory_map(
    communes: Sequence[MapCommune], *, title: str, width: int = 640, max_height: int = 560
) -> SafeString | None:
    """The SVG map, or None when no commune of the territory has an outline."""
    # Imported here, not at the top: the admin modules reach this one when Django starts, and shapely
    # with numpy would cost every management command (load_communes among them) that draws no map.
    import numpy as np
    import shapely

    own = [c for c in communes if c.role == "territory" and c.wkb]
    if not own:
        return None
    prefix = f"dmap{next(_ids)}"
    geometries = shapely.from_wkb([bytes(c.wkb) for c in communes if c.wkb])
    drawn = [c for c in communes if c.wkb]
    own_geoms = [g for g, c in zip(geometries, drawn, strict=True) if c.role == "territory"]
    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(own_geoms)
    pad_lon, pad_lat = (max_lon - min_lon) * 0.08 or 0.01, (max_lat - min_lat) * 0.08 or 0.01
    min_lon, max_lon, min_lat, max_lat = min_lon - pad_lon, max_lon + pad_lon, min_lat - pad_lat, max_lat + pad_lat
    lat0 = math.radians((min_lat + max_lat) / 2)
    span_x = (max_lon - min_lon) * math.cos(lat0)
    span_y = max_lat - min_lat
    map_height_room = max_height - 70
    scale = min(width / span_x, map_height_room / span_y)  # pixels per degree of latitude
    map_w, map_h = span_x * scale, span_y * scale
    offset_x = (width - map_w) / 2

    def project(coords):
        x = (coords[:, 0] - min_lon) * math.cos(lat0) * scale + offset_x
        y = (max_lat - coords[:, 1]) * scale
        return np.column_stack([x, y])

    frame = shapely.box(min_lon, min_lat, max_lon, max_lat)
    layers: dict[str, list[str]] = {"neighbour": [], "territory": [], "partial": [], "shared": []}
    for geometry, commune in zip(geometries, drawn, strict=True):
        if commune.role != "territory":
            geometry = shapely.clip_by_rect(geometry, *frame.bounds)
            if geometry.is_empty:
                continue
        projected = shapely.simplify(shapely.transform(geometry, project), 0.5, preserve_topology=True)
        d = _path(projected)
        if not d:
            continue
        name = escape(commune.name)
        if commune.role != "territory":
            layers["neighbour"].append(f'<path d="{d}"><title>{name}</title></path>')
            continue
        layers["territory"].append(f'<path d="{d}"><title>{name}</title></path>')
        if commune.is_partial:
            layers["partial"].append(f'<path d="{d}"/>')
        if commune.is_shared:
            layers["shared"].append(f'<path d="{d}"/>')

    height = int(map_h + 70)
    shared_count = sum(1 for c in own if c.is_shared)
    partial_count = sum(1 for c in own if c.is_partial)
    desc = (
        f"{len(own)} communes du territoire"
        + (f", dont {shared_count} partagées avec une autre CPTS (hachurées)" if shared_count else "")
        + (f", {partial_count} incluses en partie (pointillés)" if partial_count else "")
        + ". Communes voisines en gris."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="territory-map" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="12">',
        f'<title id="{prefix}-title">{escape(title)}</title><desc id="{prefix}-desc">{escape(desc)}</desc>',
        "<defs>"
        f'<pattern id="{prefix}-hatch" width="7" height="7" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="2.5" height="7" fill="{INK}"/></pattern>'
        f'<pattern id="{prefix}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<circle cx="3" cy="3" r="1.3" fill="{INK}"/></pattern>'
        "</defs>",
        f'<rect x="{offset_x:.1f}" y="0" width="{map_w:.1f}" height="{map_h:.1f}" fill="#ffffff" '
        f'stroke="#999999" stroke-width="0.5"/>',
        f'<g fill="{NEIGHBOUR_FILL}" stroke="#ffffff" stroke-width="0.8">{"".join(layers["neighbour"])}</g>',
        f'<g fill="{TERRITORY_FILL}" stroke="{INK}" stroke-width="1" fill-rule="evenodd">'
        f"{''.join(layers['territory'])}</g>",
        f'<g fill="url(#{prefix}-dots)" stroke="none" fill-rule="evenodd">{"".join(layers["partial"])}</g>',
        f'<g fill="url(#{prefix}-hatch)" stroke="{INK}" stroke-width="1.5" fill-rule="evenodd">'
        f"{''.join(layers['shared'])}</g>",
    ]
    # Scale bar (bottom left of the map) and north arrow (top right).
    km_per_px = KM_PER_DEGREE / scale
    km = _nice_km(km_per_px * map_w / 4)
    bar_px = km / km_per_px
    sx, sy = offset_x + 10, map_h - 14
    out.append(
        f'<g stroke="{INK}" stroke-width="2" fill="none"><path d="M{sx:.1f},{sy - 5:.1f}V{sy:.1f}'
        f'H{sx + bar_px:.1f}V{sy - 5:.1f}"/></g>'
        f'<text x="{sx + bar_px / 2:.1f}" y="{sy - 8:.1f}" text-anchor="middle" fill="{INK}">{_km_label(km)}</text>'
    )
    nx = offset_x + map_w - 20
    out.append(
        f'<g fill="{INK}"><path d="M{nx:.1f},8 l6,16 l-6,-4 l-6,4 z"/>'
        f'<text x="{nx:.1f}" y="38" text-anchor="middle">N</text></g>'
    )
    # Legend under the map: swatches with words, so the map reads without colour.
    ly = map_h + 16
    items = [
        (f'fill="{TERRITORY_FILL}" stroke="{INK}"', "Commune du territoire"),
        (f'fill="url(#{prefix}-dots)" stroke="{INK}"', "Commune incluse en partie"),
        (f'fill="url(#{prefix}-hatch)" stroke="{INK}"', "Partagée avec une autre CPTS"),
        (f'fill="{NEIGHBOUR_FILL}" stroke="#999999"', "Commune voisine"),
    ]
    x = 10
    for index, (attrs, label) in enumerate(items):
        row_y = ly + (index // 2) * 22
        col_x = x + (index % 2) * (width / 2)
        out.append(
            f'<rect x="{col_x:.1f}" y="{row_y:.1f}" width="16" height="14" {attrs}/>'
            f'<text x="{col_x + 22:.1f}" y="{row_y + 11:.1f}" fill="{INK}">{escape(label)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 (names are escaped; the rest is generated numbers)
