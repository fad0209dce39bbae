"""The 38 province shapes for the maps (regions/geo/provinces.json), keyed by the regions table's
province code, and the projection that turns longitude/latitude into SVG coordinates.

The file is built by `manage.py build_province_shapes` (regions/geo/ATTRIBUTION.md says from what and
how). Projection: equirectangular, x scaled by the cosine of the view's middle latitude, which for
Indonesia (11° S to 6° N) is within 2 % of true shape everywhere: no map library needed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SHAPES_PATH = Path(__file__).resolve().parent / "geo" / "provinces.json"

Point = tuple[float, float]  # (longitude, latitude)
BBox = tuple[float, float, float, float]  # (west, south, east, north)


@dataclass(frozen=True)
class ProvinceShape:
    code: str
    name: str
    polygons: tuple[tuple[Point, ...], ...]  # outer rings, largest first, unclosed
    bbox: BBox


def _decode(flat: Sequence[int], scale: int) -> tuple[Point, ...]:
    x, y = flat[0], flat[1]
    points = [(x / scale, y / scale)]
    for i in range(2, len(flat), 2):
        x, y = x + flat[i], y + flat[i + 1]
        points.append((x / scale, y / scale))
    return tuple(points)


def bbox_of(points: Iterable[Point]) -> BBox:
    xs, ys = zip(*points, strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def union_bbox(boxes: Iterable[BBox]) -> BBox:
    west, south, east, north = zip(*boxes, strict=True)
    return min(west), min(south), max(east), max(north)


@cache
def province_shapes() -> dict[str, ProvinceShape]:
    """Every province's shape by its code ("11" … "96"), read once per process."""
    data = json.loads(SHAPES_PATH.read_text(encoding="utf-8"))
    scale = 10 ** data["precision"]
    shapes = {}
    for code, entry in data["provinces"].items():
        polygons = tuple(_decode(flat, scale) for flat in entry["polygons"])
        shapes[code] = ProvinceShape(
            code, entry["name"], polygons, bbox_of(p for ring in polygons for p in ring)
        )
    return shapes


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to SVG x/y for a view of `bbox` drawn `width` wide (height follows the shape)."""

    bbox: BBox
    width: float
    padding: float = 4.0

    @property
    def _k(self) -> float:
        _west, south, _east, north = self.bbox
        return math.cos(math.radians((south + north) / 2))

    @property
    def scale(self) -> float:
        """SVG units per degree of latitude."""
        west, _south, east, _north = self.bbox
        return (self.width - 2 * self.padding) / max((east - west) * self._k, 1e-9)

    @property
    def height(self) -> float:
        _west, south, _east, north = self.bbox
        return (north - south) * self.scale + 2 * self.padding

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        west, _south, _east, north = self.bbox
        return (
            self.padding + (lon - west) * self._k * self.scale,
            self.padding + (north - lat) * self.scale,
        )

    def path(self, polygons: Iterable[Sequence[Point]], decimals: int = 1) -> str:
        """An SVG path `d` drawing the polygons (one closed subpath each); repeated points are skipped."""
        parts = []
        for ring in polygons:
            coords: list[str] = []
            for lon, lat in ring:
                x, y = self.point(lon, lat)
                pair = f"{x:.{decimals}f} {y:.{decimals}f}"
                if not coords or coords[-1] != pair:
                    coords.append(pair)
            if len(coords) >= 3:
                parts.append("M" + "L".join(coords) + "Z")
        return "".join(parts)
