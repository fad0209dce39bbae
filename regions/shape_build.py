"""Builds the compact province shape file from the source GeoJSON: pure functions, no Django.

Simplification keeps the borders two provinces share identical on both sides: a ring is cut into chains
at every vertex where the set of provinces owning it changes, each chain is simplified by
Douglas–Peucker in one canonical direction, so a shared chain gives the same points to both of its
provinces (no slivers or gaps between neighbours). Coordinates are then rounded and delta-encoded as
integers. Small islands are dropped below an area threshold, except each province's largest polygon and
any island holding one of its kab/kota centroids.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Point = tuple[float, float]  # (longitude, latitude)
Ring = list[Point]

# The source keeps the pre-2022 Papua codes ("91" for four provinces, "92" for two): match by name there.
PAPUA_SOURCE_CODES = frozenset({"91", "92"})


@dataclass(frozen=True)
class SourceProvince:
    code: str  # the regions table's code
    name: str
    rings: list[Ring]  # one outer ring per polygon, unclosed (the source has no holes)


@dataclass(frozen=True)
class BuildStats:
    points_before: int
    points_after: int
    polygons_before: int
    polygons_after: int
    dropped: tuple[str, ...]  # "Province name: n islands (largest x km²)"


def _outer_rings(geometry: Mapping) -> list[Ring]:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    rings = []
    for polygon in polygons:
        if len(polygon) > 1:
            raise ValueError("holes in a province polygon are not supported")
        ring = [(float(x), float(y)) for x, y in polygon[0]]
        rings.append(ring[:-1] if ring[0] == ring[-1] else ring)
    return rings


def source_provinces(geojson: Mapping, table: Mapping[str, str]) -> list[SourceProvince]:
    """The source's features keyed by the regions table's codes (`table`: code -> name).

    Outside Papua the source code is the table's; the six Papua-region features are matched by name.
    Raises ValueError unless every table province gets exactly one feature.
    """
    by_name = {name: code for code, name in table.items()}
    found: dict[str, SourceProvince] = {}
    for feature in geojson["features"]:
        props = feature["properties"]
        source_code, name = props["KODE_PROV"], props["PROVINSI"]
        code = by_name.get(name) if source_code in PAPUA_SOURCE_CODES else source_code
        if code not in table or code in found:
            raise ValueError(f"feature {name!r} ({source_code}) matches no single province of the table")
        found[code] = SourceProvince(code, table[code], _outer_rings(feature["geometry"]))
    missing = sorted(set(table) - set(found))
    if missing:
        raise ValueError(f"provinces without a shape: {missing}")
    return [found[code] for code in sorted(found)]


def area_km2(ring: Sequence[Point]) -> float:
    """Area of a lon/lat ring in km² (shoelace on an equirectangular projection at the ring's latitude)."""
    mid = math.radians(sum(y for _, y in ring) / len(ring))
    twice = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True))
    return abs(twice) / 2 * 111.32**2 * math.cos(mid)


def contains(ring: Sequence[Point], point: Point) -> bool:
    """Whether `point` lies inside `ring` (even-odd rule)."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def douglas_peucker(chain: Sequence[Point], tolerance: float) -> list[Point]:
    """The chain's points kept by Douglas–Peucker at `tolerance` (degrees); both ends always kept."""
    keep = {0, len(chain) - 1}
    stack = [(0, len(chain) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(chain[i], chain[first], chain[last])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep.add(index)
            stack += [(first, index), (index, last)]
    return [chain[i] for i in sorted(keep)]


def _canonical_simplify(chain: list[Point], tolerance: float) -> list[Point]:
    # The same chain walked in either direction gives the same points.
    backwards = chain[::-1]
    if backwards < chain:
        return douglas_peucker(backwards, tolerance)[::-1]
    return douglas_peucker(chain, tolerance)


def _owners(provinces: Iterable[SourceProvince]) -> dict[Point, frozenset[str]]:
    owners: dict[Point, set[str]] = defaultdict(set)
    for province in provinces:
        for ring in province.rings:
            for point in ring:
                owners[point].add(province.code)
    return {point: frozenset(codes) for point, codes in owners.items()}


def _anchors(ring: Ring, owners: Mapping[Point, frozenset[str]]) -> list[int]:
    n = len(ring)
    anchors = [
        i
        for i in range(n)
        if len(owners[ring[i]]) > 2 or not owners[ring[i - 1]] == owners[ring[i]] == owners[ring[(i + 1) % n]]
    ]
    if len(anchors) < 2:  # an island of its own: anchor its first point and the point farthest from it
        start = anchors[0] if anchors else 0
        far = max(range(n), key=lambda i: math.dist(ring[i], ring[start]))
        anchors = sorted({start, far})
    return anchors


def simplify_ring(ring: Ring, owners: Mapping[Point, frozenset[str]], tolerance: float) -> Ring:
    """The ring simplified chain by chain between its anchors (see the module docstring)."""
    anchors = _anchors(ring, owners)
    out: Ring = []
    for a, b in zip(anchors, [*anchors[1:], anchors[0] + len(ring)], strict=True):
        chain = [ring[i % len(ring)] for i in range(a, b + 1)]
        out += _canonical_simplify(chain, tolerance)[:-1]
    return out


def encode_ring(ring: Ring, precision: int) -> list[int] | None:
    """The ring as [x0, y0, dx1, dy1, ...] integers at 10**-precision degrees, or None if it collapses."""
    scale = 10**precision
    points: list[tuple[int, int]] = []
    for x, y in ring:
        p = (round(x * scale), round(y * scale))
        if not points or p != points[-1]:
            points.append(p)
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len(set(points)) < 3:
        return None
    flat = [*points[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        flat += [x1 - x0, y1 - y0]
    return flat


def _kept_rings(
    province: SourceProvince, centroids: Sequence[Point], min_area_km2: float
) -> tuple[list[Ring], list[float]]:
    """The province's polygons worth drawing, largest first, and the areas of those dropped."""
    by_area = sorted(province.rings, key=area_km2, reverse=True)
    kept, dropped = [by_area[0]], []
    for ring in by_area[1:]:
        if area_km2(ring) >= min_area_km2 or any(contains(ring, c) for c in centroids):
            kept.append(ring)
        else:
            dropped.append(area_km2(ring))
    return kept, dropped


def _dropped_note(name: str, areas: list[float]) -> str:
    return f"{name}: {len(areas)} (largest {max(areas):.0f} km²)"


def build_shapes(
    provinces: Sequence[SourceProvince],
    centroids: Mapping[str, Sequence[Point]],
    *,
    tolerance: float,
    precision: int,
    min_area_km2: float,
) -> tuple[dict[str, dict], BuildStats]:
    """{code: {"name", "polygons": [encoded ring, ...]}} and what the build removed.

    `centroids` maps a province code to its kab/kota centroids (lon, lat): an island holding one is kept
    whatever its size. A polygon that collapses when simplified keeps its unsimplified points.
    """
    owners = _owners(provinces)
    shapes: dict[str, dict] = {}
    dropped_notes: list[str] = []
    points_after = 0
    for province in provinces:
        rings, dropped = _kept_rings(province, centroids.get(province.code, ()), min_area_km2)
        if dropped:
            dropped_notes.append(_dropped_note(province.name, dropped))
        encoded = []
        for ring in rings:
            flat = encode_ring(simplify_ring(ring, owners, tolerance), precision)
            flat = flat or encode_ring(ring, precision)
            if flat:
                encoded.append(flat)
                points_after += len(flat) // 2
        shapes[province.code] = {"name": province.name, "polygons": encoded}
    stats = BuildStats(
        points_before=sum(len(r) for p in provinces for r in p.rings),
        points_after=points_after,
        polygons_before=sum(len(p.rings) for p in provinces),
        polygons_after=sum(len(s["polygons"]) for s in shapes.values()),
        dropped=tuple(dropped_notes),
    )
    return shapes, stats
