"""Rebuild regions/geo/provinces.json (the map's province shapes) from the source GeoJSON."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from regions.loader import source_rows
from regions.shape_build import build_shapes, source_provinces
from regions.shapes import SHAPES_PATH

SOURCE = "../shared/geo/indonesia-38-provinces.geojson"
HEADER = {
    "source": "Deny Herianto, Indonesia GeoJSON & TopoJSON Maps (38 Provinces), "
    "github.com/denyherianto/indonesia-geojson-topojson-maps-with-38-provinces (commit 80aa4a9)",
    "licence": "CC BY 4.0, https://creativecommons.org/licenses/by/4.0/",
    "format": "polygons: one ring each, [x0, y0, dx1, dy1, ...] in units of 10**-precision degrees "
    "(x longitude, y latitude, WGS84); keys are the regions table's province codes",
}


class Command(BaseCommand):
    help = "Simplify the 38 province boundaries into the compact shape file the maps draw (see ATTRIBUTION)."

    def add_arguments(self, parser):
        parser.add_argument("--source", default=SOURCE, help="the 38-province GeoJSON (default: %(default)s)")
        parser.add_argument("--out", default=str(SHAPES_PATH))
        parser.add_argument("--tolerance", type=float, default=0.01, help="Douglas–Peucker, degrees")
        parser.add_argument("--precision", type=int, default=3, help="decimals kept")
        parser.add_argument("--min-area", type=float, default=30.0, help="km²; smaller islands dropped")

    def handle(self, *args, **options):
        source = Path(options["source"])
        provinces, regencies = source_rows()
        centroids: dict[str, list[tuple[float, float]]] = {}
        for r in regencies:
            if r["latitude"] is not None and r["longitude"] is not None:
                centroids.setdefault(r["province_code"], []).append((r["longitude"], r["latitude"]))
        table = {p["code"]: p["name"] for p in provinces}
        shapes, stats = build_shapes(
            source_provinces(json.loads(source.read_text()), table),
            centroids,
            tolerance=options["tolerance"],
            precision=options["precision"],
            min_area_km2=options["min_area"],
        )
        header = {**HEADER, "precision": options["precision"]}
        lines = [
            f"{json.dumps(code)}:{json.dumps(shape, separators=(',', ':'))}" for code, shape in shapes.items()
        ]
        text = (
            json.dumps(header, separators=(",", ":"))[:-1] + ',"provinces":{\n' + ",\n".join(lines) + "\n}}\n"
        )
        out = Path(options["out"])
        out.write_text(text)
        self.stdout.write(
            f"{out}: {source.stat().st_size} -> {len(text.encode())} bytes; points {stats.points_before} -> "
            f"{stats.points_after}; polygons {stats.polygons_before} -> {stats.polygons_after}"
        )
        for note in stats.dropped:
            self.stdout.write(f"  islands dropped, {note}")
