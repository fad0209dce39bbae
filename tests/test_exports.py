"""Ranking CSV/XLSX exports: content, national ranks, scope by role, download-only views."""

import csv
import io
import re

import openpyxl
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Collection
from regions.models import Regency
from reports import exports
from tests.factories import make_collection, make_score
from tests.scored_data import YEAR, scored_period

# The first columns of both ranking exports (CSV and XLSX), in order.
LEADING_COLUMNS = ["Peringkat", "Dari", "Kode", "Kabupaten/kota", "Provinsi", "Jenis", "IKOTAN (0–100)"]

# The 95 % interval columns after them (issue 17): the index's, the national rank's, then each variable's.
INTERVAL_HEADERS = [
    "IKOTAN 95 % bawah",
    "IKOTAN 95 % atas",
    "Peringkat 95 % terbaik",
    "Peringkat 95 % terburuk",
    "Ketahanan Keluarga 95 % bawah",
    "Ketahanan Keluarga 95 % atas",
    "Kelembagaan 95 % bawah",
    "Kelembagaan 95 % atas",
]


@pytest.fixture
def period(regency_a, regency_b, regency_other):
    return scored_period(regency_a, regency_b, regency_other)


def _csv_rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_national_csv_for_pusat_has_every_participant_ranked_first(client_for, pusat, period):
    response = client_for(pusat).get(reverse("reports:ranking_csv", args=[YEAR]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="peringkat-ikotan-{YEAR}.csv"' in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert header[:7] == LEADING_COLUMNS
    assert header[7:9] == ["Ketahanan Keluarga", "Kelembagaan"]
    assert header[9:14] == [
        "Kategori",
        "Status",
        "Skor saat dikirim",
        "Skor terverifikasi",
        "Perubahan peringkat",
    ]
    assert header[14:] == INTERVAL_HEADERS
    by_code = {r[2]: r for r in rows}
    assert [r[2] for r in rows] == ["3573", "1504", "3507"]
    malang = by_code["3573"]
    assert malang[:2] == ["1", "2"]
    assert malang[3] == "Kota Malang" and malang[4] == "Jawa Timur"
    assert malang[6:9] == ["80.0", "90.0", "70.0"]
    # Movement among the kab/kota ranked in both years: last year Batanghari (60) was ahead of Malang (50).
    assert malang[9:14] == ["Tanggap", "Terverifikasi", "78.0", "80.0", "1"]
    assert malang[14:] == [""] * len(INTERVAL_HEADERS)  # no interval computed yet: empty, not zero
    assert (
        by_code["1504"][:2] == ["2", "2"] and by_code["1504"][10] == "Final" and by_code["1504"][13] == "-1"
    )
    # submitted but not verified: listed without rank and without a verified score
    assert by_code["3507"][:2] == ["", ""] and by_code["3507"][10] == "Dikirim"
    assert by_code["3507"][11:13] == ["65.0", ""]


def test_bnnp_gets_only_its_province_with_national_ranks(client_for, bnnp_a, period):
    _header, *rows = _csv_rows(client_for(bnnp_a).get(reverse("reports:ranking_csv", args=[YEAR])))
    assert sorted(r[2] for r in rows) == ["3507", "3573"]
    assert next(r for r in rows if r[2] == "3573")[:2] == ["1", "2"]


def test_bnnk_gets_only_its_kab_kota(client_for, bnnk_a, period):
    _header, *rows = _csv_rows(client_for(bnnk_a).get(reverse("reports:ranking_csv", args=[YEAR])))
    assert [r[2] for r in rows] == ["3573"]


def test_xlsx_of_other_province_holds_nothing_of_province_a(client_for, bnnp_other, period):
    response = client_for(bnnp_other).get(reverse("reports:ranking_xlsx", args=[YEAR]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = list(book.worksheets[0].values)
    assert values[0][2] == "Kode"
    assert [row[2] for row in values[1:]] == ["1504"]
    assert values[1][:4] == (2, 2, "1504", "Kabupaten Batanghari")
    flat = " ".join(str(v) for sheet in book.worksheets for row in sheet.values for v in row)
    assert "Malang" not in flat and "Jawa Timur" not in flat


def test_xlsx_reads_straight_into_pandas(client_for, pusat, period):
    """Header in row 1 of the first sheet: pandas.read_excel needs no header= or skiprows=."""
    content = client_for(pusat).get(reverse("reports:ranking_xlsx", args=[YEAR])).content
    frame = pd.read_excel(io.BytesIO(content), dtype={"Kode": str})
    assert list(frame.columns) == [
        *LEADING_COLUMNS,
        "Ketahanan Keluarga",
        "Kelembagaan",
        "Kategori",
        "Status",
        "Skor saat dikirim",
        "Skor terverifikasi",
        "Perubahan peringkat",
        *INTERVAL_HEADERS,
    ]
    assert list(frame["Kode"]) == ["3573", "1504", "3507"]
    malang = frame.iloc[0]
    assert (malang["Peringkat"], malang["Dari"], malang["Kabupaten/kota"]) == (1, 2, "Kota Malang")
    assert malang["IKOTAN (0–100)"] == 80.0 and malang["Status"] == "Terverifikasi"
    assert pd.isna(frame.iloc[2]["Peringkat"])  # submitted, not ranked


@pytest.mark.parametrize(
    ("user", "scope"),
    [
        ("pusat", "Nasional (semua kab/kota peserta)"),
        ("bnnp_a", "Provinsi Jawa Timur"),
        ("bnnk_a", "Kota Malang"),
    ],
)
def test_xlsx_second_sheet_holds_title_period_time_scope_and_notes(client_for, request, period, user, scope):
    content = (
        client_for(request.getfixturevalue(user)).get(reverse("reports:ranking_xlsx", args=[YEAR])).content
    )
    about = pd.read_excel(io.BytesIO(content), sheet_name=1, header=None, index_col=0).iloc[:, 0]
    assert list(about.index) == [
        "Judul",
        "Periode",
        "Dibuat pada",
        "Cakupan",
        "Jumlah baris",
        "Catatan",
        "Rentang 95 %",
    ]
    assert about["Judul"] == f"Peringkat nasional IKOTAN {YEAR}"
    assert about["Periode"].startswith(f"{YEAR}: ")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d WIB", about["Dibuat pada"])
    assert about["Cakupan"] == scope
    assert "Peringkat nasional" in about["Catatan"]


def test_xlsx_for_pusat_has_numbers_as_numbers(client_for, pusat, period):
    response = client_for(pusat).get(reverse("reports:ranking_xlsx", args=[YEAR]))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].values)[1:]
    assert rows[0][:7] == (1, 2, "3573", "Kota Malang", "Jawa Timur", "kota", 80.0)
    assert rows[2][0] is None  # not ranked


@pytest.mark.parametrize("name", ["reports:ranking_csv", "reports:ranking_xlsx"])
def test_exports_are_download_only_and_need_login(client, client_for, pusat, period, name):
    url = reverse(name, args=[YEAR])
    assert client.get(url).status_code == 302  # to the login page
    assert client_for(pusat).post(url).status_code == 405
    assert client_for(pusat).get(reverse(name, args=[1999])).status_code == 404


def test_export_queries_do_not_grow_with_kab_kota(pusat, period, province_a):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            rows, _ = exports.ranking_export_frame(period, pusat)
        return len(ctx.captured_queries), len(rows)

    before, n_before = count()
    for regency in Regency.objects.filter(province=province_a).exclude(code__in=["3573", "3507"])[:20]:
        c = make_collection(regency, period)
        Collection.objects.filter(pk=c.pk).update(state="verified")
        make_score(c, 42.0, {"KK": 40.0, "KL": 44.0})
    after, n_after = count()
    assert n_after == n_before + 20
    assert after == before
