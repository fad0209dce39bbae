"""Formula injection: formula cells in a bulk upload are refused at their row and column, and every
CSV/XLSX export quotes texts that a spreadsheet would read as a formula (kotan.lib.spreadsheet)."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl.xml import LXML

from assessments.bulk import workbook as excel
from assessments.models import Answer, Questionnaire
from instruments import xlsx as ixlsx
from instruments.models import Indicator, Option, Question, Variable
from instruments.services import instrument_load_default, instrument_to_data
from kotan.lib.service_errors import ServiceError
from kotan.lib.spreadsheet import restore_cell, safe_cell
from regions.models import Province, Regency
from reports import exports
from tests.excel_fixtures import family_row, fill
from tests.scored_data import YEAR, scored_period

# A carriage return read back from an XLSX: lxml (installed with python-docx) keeps it, openpyxl's
# own XML writer turns it into a line feed.
CR_READ_BACK = "\r" if LXML else "\n"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]  # tests/excel_fixtures.py

TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]
HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "=cmd|' /C calc'!A0"


# --- the neutraliser -----------------------------------------------------------------------------


@pytest.mark.parametrize("first", TRIGGERS)
def test_a_formula_like_text_gets_a_quote_and_comes_back(first):
    text = first + "SUM(A1:A9)"
    assert safe_cell(text) == "'" + text
    assert restore_cell(safe_cell(text)) == text


@pytest.mark.parametrize(
    "value",
    ["Kota Malang", "", "'", "'quoted", "'=already quoted", "''+twice", "a=b", " =x", 0, -3.5, -1, None],
)
def test_other_values_and_the_round_trip(value):
    if not isinstance(value, str) or not value.lstrip("'").startswith(tuple(TRIGGERS)):
        assert safe_cell(value) == value  # numbers (also negative) and plain texts are untouched
    assert restore_cell(safe_cell(value)) == value
    assert isinstance(safe_cell(-3.5), float)


# --- bulk upload: formula cells ------------------------------------------------------------------


def url(name: str, collection, *extra) -> str:
    return reverse(f"assessments:{name}", args=[collection.period.year, collection.regency.code, *extra])


def downloaded_template(client, collection) -> openpyxl.Workbook:
    response = client.get(url("excel_template", collection, "keluarga"))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def saved(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_row(ws, row: int, values: dict) -> None:
    columns = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value}
    for code, value in values.items():
        ws.cell(row, columns[code], value)


def test_formula_cells_are_errors_at_their_row_and_column_and_nothing_is_created(
    client_for, bnnk_a, collection, keluarga
):
    client = client_for(bnnk_a)
    wb = downloaded_template(client, collection)
    ws = wb["kuesioner"]
    write_row(ws, 3, {**family_row(1), "label": HYPERLINK})
    write_row(ws, 4, {**family_row(2), "desa_kelurahan": DDE})
    write_row(ws, 5, family_row(3))
    assert ws["A3"].data_type == "f" and ws["B4"].data_type == "f"  # real formulas, no cached value
    response = client.post(
        url("excel_upload", collection),
        {"berkas": SimpleUploadedFile("isi.xlsx", saved(wb), content_type=excel.XLSX_CONTENT_TYPE)},
    )
    assert response.status_code == 302
    html = client.get(url("excel_preview", collection)).content.decode()
    assert 'data-testid="excel-blocked"' in html
    assert 'data-row="3" data-column="A"' in html and "Baris 3, kolom A (label)" in html
    assert 'data-row="4" data-column="B"' in html and "Baris 4, kolom B (desa_kelurahan)" in html
    assert "Sel berisi rumus" in html
    token = client.session[f"excel_upload_{collection.pk}"]["token"]
    client.post(url("excel_apply", collection), {"unggahan": token})
    assert not Questionnaire.objects.exists() and not Answer.objects.exists()


def test_every_formula_and_an_equals_text_is_an_error_never_an_empty_value(collection, keluarga, bnnk_a):
    template = excel.build_template(collection, keluarga)
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["kuesioner"]
    write_row(ws, 3, {**family_row(1), "label": "=1+1"})  # a formula with no cached value
    write_row(ws, 4, {**family_row(2), "q_likert": "=2+1"})  # a formula in an answer column
    write_row(ws, 5, {**family_row(3), "tanggal_pengisian": "=TODAY()"})
    write_row(ws, 6, {**family_row(4), "label": "=teks biasa"})
    ws["A6"].data_type = "s"  # stored as text, not as a formula: still refused
    write_row(ws, 7, {**family_row(5), "label": "+62 RT 5", "desa_kelurahan": "-Lowokwaru @x"})
    preview = excel.parse_upload(collection, bnnk_a, saved(wb))
    assert not preview.fatal
    formula_errors = [(p.row, p.column, p.header) for p in preview.errors if "rumus" in p.message]
    assert formula_errors == [
        (3, "A", "label"),
        (4, "D", "q_likert"),
        (5, "C", "tanggal_pengisian"),
        (6, "A", "label"),
    ]
    assert all(p.is_error for p in preview.problems if "rumus" in p.message)
    # + - @ in a text column are legitimate text: stored as typed (exports quote them)
    row7 = next(r for r in preview.rows if r.row == 7)
    assert (row7.label, row7.village, row7.errors) == ("+62 RT 5", "-Lowokwaru @x", 0)
    with pytest.raises(ServiceError):
        excel.apply_upload(preview, bnnk_a)
    assert not Questionnaire.objects.exists()


def test_a_negative_number_is_still_a_number_not_a_formula(collection, keluarga, bnnk_a):
    data = fill(excel.build_template(collection, keluarga), [{**family_row(1), "q_likert": -3}])
    preview = excel.parse_upload(collection, bnnk_a, data)
    (problem,) = preview.errors
    assert (problem.row, problem.column) == (3, "D") and "rumus" not in problem.message
    good = fill(excel.build_template(collection, keluarga), [family_row(1)])
    preview = excel.parse_upload(collection, bnnk_a, good)
    assert preview.ok
    assert preview.rows[0].filled_on == timezone.localdate() - datetime.timedelta(days=1)


def test_the_template_quotes_formula_like_instrument_texts(collection, keluarga, bnnk_a):
    q = Question.objects.get(instrument=collection.period.instrument, code="q_likert")
    q.text = '=HYPERLINK("http://x","klik")'
    q.save()
    Option.objects.filter(question__code="q_choice", value=1).update(label="@Draf")
    wb = openpyxl.load_workbook(io.BytesIO(excel.build_template(collection, keluarga)))
    text_cell = wb["kuesioner"]["D2"]
    assert text_cell.value == "'" + q.text and text_cell.data_type == "s"
    help_values = [c.value for row in wb["petunjuk"].iter_rows() for c in row if c.value]
    assert "'" + q.text in help_values
    assert all(not (isinstance(v, str) and v.startswith(("=", "@"))) for v in help_values)
    for row in wb["petunjuk"].iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    # the template still imports: the meta sheet is read back through restore_cell
    preview = excel.parse_upload(
        collection, bnnk_a, fill(excel.build_template(collection, keluarga), [family_row(1)])
    )
    assert preview.ok


# --- exports -------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("first", TRIGGERS)
def test_ranking_exports_quote_formula_like_texts_and_keep_numbers(
    client_for, pusat, regency_a, regency_b, regency_other, first
):
    name = first + 'HYPERLINK("http://x","Kota Malang")'
    Regency.objects.filter(pk=regency_a.pk).update(name=name)
    Province.objects.filter(pk=regency_a.province_id).update(name=first + "Jawa Timur")
    period = scored_period(regency_a, regency_b, regency_other)
    Variable.objects.filter(instrument=period.instrument, code="KK").update(name=first + "cmd|' /C calc'!A0")

    header, *rows = _csv(client_for(pusat).get(reverse("reports:ranking_csv", args=[YEAR])))
    assert header[7] == "'" + first + "cmd|' /C calc'!A0"
    malang = next(r for r in rows if r[2] == "3573")
    assert malang[3] == "'" + name and malang[4] == "'" + first + "Jawa Timur"
    # the variable's 95 % columns (issue 17) carry its name too, quoted the same way
    assert header[18] == "'" + first + "cmd|' /C calc'!A0 95 % bawah"
    batanghari = next(r for r in rows if r[2] == "1504")
    assert batanghari[13] == "-1"  # a negative number we format ourselves stays as it is

    response = client_for(pusat).get(reverse("reports:ranking_xlsx", args=[YEAR]))
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = list(ws.values)
    if first == "\r":  # the XML round trip may turn it into a line feed; the quote in front is what counts
        name, first = name.replace("\r", CR_READ_BACK), CR_READ_BACK
    assert values[0][7] == "'" + first + "cmd|' /C calc'!A0"
    malang = next(r for r in values[1:] if r[2] == "3573")
    assert malang[3] == "'" + name and malang[4] == "'" + first + "Jawa Timur"
    assert malang[:2] == (1, 2) and malang[6] == 80.0
    batanghari = next(r for r in values[1:] if r[2] == "1504")
    assert batanghari[13] == -1 and isinstance(batanghari[13], int)  # still a number cell
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)


@pytest.mark.parametrize("first", TRIGGERS)
def test_ranking_xlsx_metadata_sheet_quotes_formula_like_texts(first):
    content = exports.ranking_xlsx(
        pd.DataFrame(), [], metadata=[(first + "SUM(A1)", first + 'HYPERLINK("http://x","y")')]
    )
    about = openpyxl.load_workbook(io.BytesIO(content)).worksheets[1]
    label, value = next(about.iter_rows(values_only=True))
    expected_first = CR_READ_BACK if first == "\r" else first
    assert label == "'" + expected_first + "SUM(A1)"
    assert value == "'" + expected_first + 'HYPERLINK("http://x","y")'
    assert all(cell.data_type != "f" for row in about.iter_rows() for cell in row)


def test_instrument_export_quotes_formula_like_texts_and_reimports_them_unchanged():
    default = instrument_load_default()[0]
    question = Question.objects.filter(instrument=default).order_by("id").first()
    question.text = '=HYPERLINK("http://x","y") apakah ...?'
    question.help_text = "@catatan: + atau -"
    question.save()
    option = Option.objects.filter(question=question).order_by("order").first()
    option.label = "-"
    option.save()
    Indicator.objects.filter(pk=question.indicator_id).update(name="+Indikator")
    Variable.objects.filter(pk=question.indicator.variable_id).update(name="'=sudah dikutip")
    exported = ixlsx.instrument_export(default)

    wb = openpyxl.load_workbook(io.BytesIO(exported))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    values = {c.value for c in cells}
    assert {"'" + question.text, "'@catatan: + atau -", "'-", "'+Indikator", "''=sudah dikutip"} <= values

    new = ixlsx.instrument_import(exported, version="uji-injeksi").instrument
    a, b = instrument_to_data(default), instrument_to_data(new)
    assert a.pop("version") != b.pop("version")
    assert a == b
