"""Excel bulk-entry fixtures and workbook helpers shared by the Excel test modules (a pytest plugin, registered
in tests/conftest.py): a collection of regency_a with its "keluarga" group, media in a temporary folder, and
fill()/family_row() to write rows into a downloaded template."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from assessments.bulk import workbook as excel
from tests.factories import group, make_collection


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploads and generated files go to a folder of this test, never to the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def collection(regency_a):
    return make_collection(regency_a)


@pytest.fixture
def keluarga(collection):
    return group(collection.period.instrument, "keluarga")


def fill(template: bytes, rows: list[dict], *, meta: dict | None = None, extra_headers: dict | None = None):
    """The template with `rows` written from row 3 (keys: header codes), as XLSX bytes."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["kuesioner"]
    for letter, code in (extra_headers or {}).items():
        ws[f"{letter}1"] = code
    columns = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value}
    for offset, values in enumerate(rows):
        for code, value in values.items():
            ws.cell(excel.FIRST_DATA_ROW + offset, columns[code], value)
    for key, value in (meta or {}).items():
        for row in wb["meta"].iter_rows(min_row=1):
            if row[0].value == key:
                row[1].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def family_row(n: int) -> dict:
    """One valid row of the keluarga group: label, village, yesterday's date and three answers."""
    return {
        "label": f"RT {n:03d}",
        "desa_kelurahan": "Lowokwaru",
        "tanggal_pengisian": timezone.localdate() - datetime.timedelta(days=1),
        "q_likert": 1 + n % 5,
        "q_yesno": "Ya" if n % 2 else "Tidak",
        "q_choice": n % 4,
    }
