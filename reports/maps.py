"""Maps of Indonesia as inline SVG: pure functions from plain data (province values, kab/kota points) to
an SVG string, for the pages and the PDFs alike. No database, no request; labels through gettext.

The province shapes come from regions.shapes (offline, no tile or topojson request). Every province path
and kab/kota circle carries a <title> (the browser's own hover tooltip, read by screen readers) and data-
attributes a page script can show on tap. Only presentation attributes (fill=, stroke=), no style
attribute or <style> element: the site's CSP forbids them and WeasyPrint draws these as they are. The
caller keeps a table of the same numbers as the text alternative.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regions.shapes import BBox, Projection, ProvinceShape, province_shapes, union_bbox

from .svg import FONT, NEUTRAL, _fmt, _t, band_colours

MAP_CREDIT = gettext_lazy("Batas provinsi: Deny Herianto, CC BY 4.0 (disederhanakan)")
MAP_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
MAP_SOURCE_URL = "https://github.com/denyherianto/indonesia-geojson-topojson-maps-with-38-provinces"

# Sequential light-to-dark blue (the upper five of ColorBrewer Blues 9; its paler first steps vanish on the
# white page): apart from the red-to-green categories of the points drawn over it.
SCALE = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NO_DATA = "#d0d0d0"
LAND = "#e3e7ea"  # neighbouring provinces on a province map
MAX_OFFSET = 1.0  # degrees: a point farther than this outside the view is a coordinate error, not drawn


@dataclass(frozen=True)
class MapPoint:
    """A ranked kab/kota on the map (Regency.latitude/longitude; score, category and rank of the period)."""

    code: str
    name: str
    province_code: str
    latitude: float | None
    longitude: float | None
    score: float | None
    category: str | None
    rank: int | None


def classes(values: Sequence[float], value_range: tuple[float, float] | None = None) -> list[float]:
    """The six bounds of the colour scale's five classes: `value_range`, else the values' range widened
    to multiples of 5."""
    if value_range is None:
        lo = math.floor(min(values, default=0.0) / 5) * 5
        hi = math.ceil(max(values, default=100.0) / 5) * 5
    else:
        lo, hi = value_range
    if hi <= lo:
        hi = lo + 5
    return [lo + (hi - lo) * i / 5 for i in range(6)]


def scale_colour(value: float | None, bounds: Sequence[float]) -> str:
    if value is None or math.isnan(value):
        return NO_DATA
    for i, upper in enumerate(bounds[1:-1]):
        if value < upper:
            return SCALE[i]
    return SCALE[-1]


def _radius(width: float) -> float:
    """Point radius on the national map: 3.2 at 960 wide, never under 2.5."""
    return max(2.5, width / 300)


def _head(width: float, height: float, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}" font-size="11" role="img" '
        f'aria-label="{_t(label)}" class="kotan-map"><title>{_t(label)}</title>'
    )


def _visible(point: MapPoint, view: BBox) -> bool:
    if point.latitude is None or point.longitude is None:
        return False
    west, south, east, north = view
    return (
        west - MAX_OFFSET <= point.longitude <= east + MAX_OFFSET
        and south - MAX_OFFSET <= point.latitude <= north + MAX_OFFSET
    )


def point_title(point: MapPoint) -> str:
    parts = {"name": point.name, "score": _fmt(point.score), "category": point.category or "–"}
    if point.rank is None:
        return _("%(name)s: %(score)s (%(category)s)") % parts
    return _("%(name)s: %(score)s (%(category)s), peringkat %(rank)s") % {**parts, "rank": point.rank}


def _circles(points: Sequence[MapPoint], projection: Projection, colours: Mapping[str, str], r: float) -> str:
    out = [f'<g stroke="#fff" stroke-width="{r / 3:.1f}">']
    for p in points:
        x, y = projection.point(p.longitude, p.latitude)
        rank = "" if p.rank is None else f' data-rank="{p.rank}"'
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colours.get(p.category or "", NEUTRAL)}" '
            f'data-code="{_t(p.code)}" data-name="{_t(p.name)}" data-score="{_fmt(p.score)}" '
            f'data-category="{_t(p.category or "–")}"{rank}><title>{_t(point_title(p))}</title></circle>'
        )
    out.append("</g>")
    return "".join(out)


@dataclass(frozen=True)
class _Swatch:
    kind: str  # "rect" or "circle"
    colour: str
    text: str


def _legend(swatches: Sequence[_Swatch], top: float, width: float, heading: str = "") -> tuple[str, float]:
    """Legend items flowing left to right, wrapping at `width`; returns the SVG and the bottom y."""
    out, x, y = [], 4.0, top
    if heading:
        out.append(f'<text x="4" y="{y + 9:.1f}" font-weight="bold">{_t(heading)}</text>')
        y += 16
    for s in swatches:
        item = 16 + len(s.text) * 6.6 + 14  # about 0.6 em a character at 11 px
        if x > 4 and x + item > width:
            x, y = 4.0, y + 16
        if s.kind == "circle":
            out.append(f'<circle cx="{x + 5:.1f}" cy="{y + 5:.1f}" r="4.5" fill="{s.colour}" stroke="#fff"/>')
        else:
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="10" fill="{s.colour}" stroke="#9e9e9e" '
                'stroke-width="0.5"/>'
            )
        out.append(f'<text x="{x + 16:.1f}" y="{y + 9:.1f}">{_t(s.text)}</text>')
        x += item
    return "".join(out), y + 16


def _category_swatches(points: Sequence[MapPoint], colours: Mapping[str, str]) -> list[_Swatch]:
    counts = Counter(p.category for p in points)
    return [_Swatch("circle", colour, f"{label} ({counts[label]})") for label, colour in colours.items()]


def _class_swatches(scale: ValueScale) -> list[_Swatch]:
    swatches = [
        _Swatch("rect", colour, f"{_fmt(lo, scale.decimals)}–{_fmt(hi, scale.decimals)}")
        for colour, lo, hi in zip(SCALE, scale.bounds, scale.bounds[1:], strict=False)
    ]
    return [*swatches, _Swatch("rect", NO_DATA, _("tanpa data"))]


@dataclass(frozen=True)
class ValueScale:
    """The provinces' colour scale: what the value is, its six class bounds, and decimals shown."""

    label: str
    bounds: list[float]
    decimals: int


def _legend_body(
    shown: Sequence[MapPoint], categories: Sequence[str], scale: ValueScale | None, top: float, width: float
) -> tuple[str, float]:
    """The value classes (if any), the categories with their counts and the credit; and the bottom y."""
    body = ""
    if scale is not None:
        body, top = _legend(_class_swatches(scale), top, width, scale.label)
        top += 4
    points, top = _legend(_category_swatches(shown, band_colours(categories)), top, width, _("Kab/kota"))
    # The licence address is written out, not a link: WeasyPrint makes no PDF link of an SVG <a>, and on
    # a page a link inside the map (an image to assistive technology) would be a control nested in an
    # image (axe-core: nested-interactive); the page links the licence under the map instead.
    credit = (
        f'<text x="{width - 4:.0f}" y="{top + 8:.1f}" text-anchor="end" '
        f'font-size="9" fill="#616161">{_t(MAP_CREDIT)}'
        f'<tspan x="{width - 4:.0f}" dy="11">{MAP_LICENCE_URL}</tspan></text>'
    )
    return body + points + credit, top + 23


def _legend_svg(body: str, bottom: float, width: int) -> str:
    return _head(width, bottom, _("Legenda peta")) + body + "</svg>"


def _province_paths(
    shapes: Sequence[ProvinceShape],
    projection: Projection,
    fills: Mapping[str, str],
    titles: Mapping[str, str],
) -> str:
    out = ['<g stroke="#fff" stroke-width="0.6" stroke-linejoin="round">']
    for shape in shapes:
        out.append(
            f'<path d="{projection.path(shape.polygons)}" fill="{fills[shape.code]}" '
            f'data-code="{shape.code}" data-name="{_t(shape.name)}">'
            f"<title>{_t(titles[shape.code])}</title></path>"
        )
    out.append("</g>")
    return "".join(out)


def _national(
    provinces: Mapping[str, float | None],
    points: Sequence[MapPoint],
    width: int,
    value_range: tuple[float, float] | None,
) -> tuple[Projection, list[MapPoint], dict[str, float | None], list[float]]:
    shapes = province_shapes()
    projection = Projection(union_bbox(s.bbox for s in shapes.values()), width, padding=_radius(width) + 2)
    values = {code: provinces.get(code) for code in shapes}
    bounds = classes([v for v in values.values() if v is not None], value_range)
    return projection, [p for p in points if _visible(p, projection.bbox)], values, bounds


def national_map_svg(
    provinces: Mapping[str, float | None],
    points: Sequence[MapPoint],
    categories: Sequence[str],
    *,
    value_label: str,
    value_range: tuple[float, float] | None = None,
    decimals: int = 1,
    width: int = 960,
    legend: bool = True,
    title: str = "",
) -> str:
    """Indonesia's 38 provinces filled by `provinces[code]` (e.g. the average index, or the share of
    Tanggap-and-above, named by `value_label`) on a five-class scale (`value_range`, else the values'
    range), and each point at its kab/kota's centroid coloured by category (`categories` lowest band
    first). With `legend`, the legends and the credit sit below the map (the PDF); a page that shows
    the map scaled down to a phone passes legend=False and puts national_legend_svg(...) under it.

    A point without coordinates, or with coordinates far outside Indonesia, is not drawn.
    """
    projection, shown, values, bounds = _national(provinces, points, width, value_range)
    shapes = province_shapes().values()
    fills = {code: scale_colour(v, bounds) for code, v in values.items()}
    titles = {s.code: f"{s.name}: {value_label} {_fmt(values[s.code], decimals)}" for s in shapes}
    scale = ValueScale(value_label, bounds, decimals)
    keys, bottom = _legend_body(shown, categories, scale, projection.height + 6, width) if legend else ("", 0)
    label = title or _(
        "Peta Indonesia: 38 provinsi diwarnai menurut %(value)s, "
        "%(n)s kab/kota sebagai titik menurut kategori"
    ) % {"value": value_label, "n": len(shown)}
    body = _province_paths(list(shapes), projection, fills, titles) + _circles(
        shown, projection, band_colours(categories), _radius(width)
    )
    return _head(width, max(bottom, projection.height), label) + body + keys + "</svg>"


def national_legend_svg(
    provinces: Mapping[str, float | None],
    points: Sequence[MapPoint],
    categories: Sequence[str],
    *,
    value_label: str,
    value_range: tuple[float, float] | None = None,
    decimals: int = 1,
    width: int = 360,
) -> str:
    """The legends and credit of national_map_svg(..., legend=False) as an SVG of their own, laid out
    `width` wide, to be shown at its natural size (readable on a phone while the map scales down)."""
    _projection, shown, _values, bounds = _national(provinces, points, width, value_range)
    body, bottom = _legend_body(shown, categories, ValueScale(value_label, bounds, decimals), 4, width)
    return _legend_svg(body, bottom, width)


def _province_view(shape: ProvinceShape, points: Sequence[MapPoint], aspect: float) -> BBox:
    """The province's box, grown to hold its points (not the far-off errors) and a margin, then widened
    so that its height is at most `aspect` times its width."""
    near = [(p.longitude, p.latitude) for p in points if _visible(p, shape.bbox)]
    west, south, east, north = union_bbox([shape.bbox, *((x, y, x, y) for x, y in near)])
    margin = 0.06 * max(east - west, north - south)
    west, south, east, north = west - margin, south - margin, east + margin, north + margin
    k = math.cos(math.radians((south + north) / 2))
    grow = ((north - south) / aspect / k - (east - west)) / 2
    if grow > 0:
        west, east = west - grow, east + grow
    return west, south, east, north


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _province_points(province_code: str, points: Sequence[MapPoint]) -> list[MapPoint]:
    return [p for p in points if _visible(p, province_shapes()[province_code].bbox)]


def province_map_svg(
    province_code: str,
    points: Sequence[MapPoint],
    categories: Sequence[str],
    *,
    width: int = 640,
    legend: bool = True,
    title: str = "",
) -> str:
    """One province's shape zoomed, its neighbours in grey for context, and its kab/kota as points
    coloured by category (`categories` lowest band first). With `legend`, the category legend and the
    credit below (else province_legend_svg(...) gives them apart, as for the national map)."""
    shapes = province_shapes()
    own = shapes[province_code]
    shown = _province_points(province_code, points)
    projection = Projection(_province_view(own, shown, aspect=1.0), width)
    near = [s for s in shapes.values() if s.code != province_code and _overlaps(s.bbox, projection.bbox)]
    keys, bottom = _legend_body(shown, categories, None, projection.height + 6, width) if legend else ("", 0)
    label = title or _("Peta %(province)s: %(n)s kab/kota sebagai titik menurut kategori") % {
        "province": own.name,
        "n": len(shown),
    }
    body = [
        f'<rect width="{width}" height="{projection.height:.1f}" fill="#f7fbff"/>',
        _province_paths(near, projection, {s.code: LAND for s in near}, {s.code: s.name for s in near}),
        _province_paths([own], projection, {own.code: "#c6dbef"}, {own.code: own.name}),
        _circles(shown, projection, band_colours(categories), max(5.0, width / 100)),
    ]
    if legend:  # neighbours reach past the map's box: white under the legend hides them (no clipPath needed)
        body.append(
            f'<rect y="{projection.height:.1f}" width="{width}" height="{bottom - projection.height:.1f}" '
            'fill="#fff"/>'
        )
    return _head(width, max(bottom, projection.height), label) + "".join(body) + keys + "</svg>"


def province_legend_svg(
    province_code: str, points: Sequence[MapPoint], categories: Sequence[str], *, width: int = 360
) -> str:
    """The category legend and credit of province_map_svg(..., legend=False), `width` wide."""
    body, bottom = _legend_body(_province_points(province_code, points), categories, None, 4, width)
    return _legend_svg(body, bottom, width)
