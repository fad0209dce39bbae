"""XLSX export/import of an instrument: round trip, and each malformed file refused with nothing created."""

from __future__ import annotations

import io

import openpyxl
import pytest

from instruments import xlsx
from instruments.models import EvidenceType, Instrument, Option, Question, RespondentGroup, Variable
from instruments.services import instrument_load_default, instrument_to_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def default():
    return instrument_load_default()[0]


@pytest.fixture
def exported(default) -> bytes:
    return xlsx.instrument_export(default)


def _counts():
    return tuple(
        m.objects.count() for m in (Instrument, RespondentGroup, Variable, Question, Option, EvidenceType)
    )


def edit(data: bytes, change) -> bytes:
    """Open an exported workbook, let `change(wb)` modify it, return the new bytes."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    change(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row_of(ws, column: int, value) -> int:
    """The row number whose cell in `column` (1-based) equals value."""
    for row in ws.iter_rows(min_row=2):
        if row[column - 1].value == value:
            return row[0].row
    raise AssertionError(f"{value} not found")


def refused(data: bytes, **kwargs) -> list[str]:
    before = _counts()
    result = xlsx.instrument_import(data, **kwargs)
    assert result.instrument is None
    assert result.problems
    assert _counts() == before  # nothing half-imported
    return result.problems


def test_export_has_every_sheet_and_readable_columns(exported):
    wb = openpyxl.load_workbook(io.BytesIO(exported))
    assert wb.sheetnames == [*xlsx.SHEETS, "petunjuk"]
    meta = {r[0]: r[1] for r in wb["instrumen"].iter_rows(min_row=2, values_only=True)}
    assert meta["versi"] == "IKOTAN-2026.1"
    assert meta["skema_kategori"] == "lima-0-100"
    questions = wb["pertanyaan"]
    assert [c.value for c in questions[1]] == xlsx.COLUMNS["pertanyaan"]
    assert questions.max_row == 1 + 52
    kk = questions[row_of(questions, 1, "KM1.1")]
    assert kk[7].value == "keluarga, masyarakat"
    assert kk[4].value == "likert"
    bukti = wb["bukti"]
    assert bukti[row_of(bukti, 1, "sk-tim-terpadu")][3].value == "KL1.1, KL1.2"


def test_round_trip_gives_an_identical_structure(default, exported):
    result = xlsx.instrument_import(exported, version="IKOTAN-2027.1")
    assert result.problems == []
    new = result.instrument
    assert new.pk != default.pk and new.version == "IKOTAN-2027.1"
    assert new.copied_from is None
    a, b = instrument_to_data(default), instrument_to_data(new)
    assert a.pop("version") != b.pop("version")
    assert a == b
    # and once more: the import's own export imports to the same structure
    again = xlsx.instrument_import(xlsx.instrument_export(new), version="IKOTAN-2027.2").instrument
    c = instrument_to_data(again)
    c.pop("version")
    assert c == b


def test_round_trip_keeps_odd_weights_and_optional_questions(default):
    Variable.objects.filter(instrument=default, code="HK").update(weight="0.3333")
    Question.objects.filter(instrument=default, code="KK1.1").update(required=False, weight="2.5")
    data = xlsx.instrument_export(default)
    new = xlsx.instrument_import(data, version="v2").instrument
    assert str(new.variables.get(code="HK").weight) == "0.3333"
    q = new.questions.get(code="KK1.1")
    assert (q.required, str(q.weight)) == (False, "2.5000")


def test_version_and_name_come_from_the_sheet(exported):
    data = edit(
        exported, lambda wb: (wb["instrumen"].cell(2, 2, "IKOTAN-2028"), wb["instrumen"].cell(3, 2, "Baru"))
    )
    new = xlsx.instrument_import(data).instrument
    assert (new.version, new.name) == ("IKOTAN-2028", "Baru")


def test_an_existing_version_is_refused_at_its_cell(exported):
    assert refused(exported) == [
        "instrumen baris 2 kolom B: versi 'IKOTAN-2026.1' sudah ada; impor selalu membuat versi baru, ganti versinya"
    ]
    assert xlsx.instrument_import(exported, version="IKOTAN-B").instrument is not None
    assert refused(exported, version="IKOTAN-B") == ["Versi 'IKOTAN-B' sudah ada; pilih versi lain."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Berkas kosong"),
        (b"kode,nama\nKK,Keluarga\n", "bukan XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "format Excel lama"),
        (b"PK\x03\x04" + b"\0" * 50, "rusak"),
    ],
)
def test_garbage_files(data, message):
    problems = refused(data, version="x")
    assert len(problems) == 1 and message in problems[0]


def test_a_truncated_workbook_is_corrupt(exported):
    problems = refused(exported[: len(exported) // 2], version="x")
    assert problems == ["Berkas XLSX rusak dan tidak dapat dibaca. Simpan ulang di Excel lalu unggah lagi."]


def test_a_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert refused(buf.getvalue(), version="x") == [
        "Berkas ini bukan XLSX. Unggah berkas instrumen (.xlsx) hasil ekspor KOTAN."
    ]


def test_missing_sheets_are_each_named(exported):
    data = edit(exported, lambda wb: (wb.remove(wb["opsi"]), wb.remove(wb["bukti"])))
    assert refused(data, version="x") == [
        "Lembar 'opsi' tidak ada di berkas.",
        "Lembar 'bukti' tidak ada di berkas.",
    ]


def test_missing_header_column(exported):
    data = edit(exported, lambda wb: wb["pertanyaan"].cell(1, 5, "jenis_jawaban"))
    assert refused(data, version="x") == ["pertanyaan baris 1: kolom 'jenis' tidak ada di baris judul"]


def test_unknown_kind_is_reported_with_row_and_column(exported):
    def change(wb):
        ws = wb["pertanyaan"]
        ws.cell(row_of(ws, 1, "KK4.2"), 5, "likret")

    row = row_of(openpyxl.load_workbook(io.BytesIO(exported))["pertanyaan"], 1, "KK4.2")
    assert row == 11
    assert refused(edit(exported, change), version="x") == [
        "pertanyaan baris 11 kolom E: jenis 'likret' tidak dikenal (likert, yesno, choice, number)"
    ]


def test_columns_may_move_and_letters_follow(exported):
    def change(wb):
        ws = wb["pertanyaan"]
        ws.insert_cols(1)
        ws.cell(1, 1, "catatan")
        ws.cell(row_of(ws, 2, "KK1.1"), 8, "sering")  # wajib is now column H

    assert refused(edit(exported, change), version="x") == [
        "pertanyaan baris 2 kolom H: wajib harus 'ya' atau 'tidak'"
    ]


def test_every_problem_is_reported_at_once(exported):
    def change(wb):
        q = wb["pertanyaan"]
        q.cell(row_of(q, 1, "KK1.2"), 8, "keluarga, tetangga")  # unknown group
        q.cell(row_of(q, 1, "KK1.3"), 6, -1)  # weight
        q.cell(row_of(q, 1, "KK2.1"), 1, "KK1.1")  # duplicate code
        q.cell(row_of(q, 1, "KK2.2"), 2, "ZZ9")  # unknown indicator
        q.cell(row_of(q, 1, "KK3.1"), 3).value = None  # empty text
        i = wb["indikator"]
        i.cell(row_of(i, 2, "KW1"), 1, "XX")  # unknown variable
        v = wb["variabel"]
        v.cell(row_of(v, 1, "HK"), 3, "berat")  # not a number
        g = wb["kelompok"]
        g.cell(row_of(g, 1, "swasta"), 3, "perusahaan")  # unit
        g.cell(row_of(g, 1, "pendidikan"), 4, 2.5)  # quota
        o = wb["opsi"]
        o.cell(row_of(o, 1, "KM1.1"), 1, "TIDAKADA")  # option of an unknown question
        e = wb["bukti"]
        e.cell(row_of(e, 1, "rad-p4gn"), 4, "KL2.1, KL9.9")
        e.cell(row_of(e, 1, "mou-pks"), 3, "mungkin")
        m = wb["instrumen"]
        m.cell(5, 2, "tujuh-kategori")

    problems = refused(edit(exported, change), version="x")
    text = "\n".join(problems)
    assert len(problems) == 15, text  # each problem once, no echo of a problem elsewhere
    for expected in [
        "instrumen baris 5 kolom B: skema kategori 'tujuh-kategori' tidak dikenal",
        "kelompok baris 6 kolom C: unit 'perusahaan' tidak dikenal (family atau non_family)",
        "kelompok baris 5 kolom D: kuota_minimum harus bilangan bulat 0 sampai 100000",
        "variabel baris 6 kolom C: 'berat' bukan angka",
        "indikator baris 10 kolom A: variabel 'XX' tidak ada di lembar variabel",
        "pertanyaan baris 3 kolom H: kelompok 'tetangga' tidak ada di lembar kelompok",
        "pertanyaan baris 4 kolom F: bobot harus lebih dari 0 dan paling besar 9999,9999",
        "pertanyaan baris 5 kolom A: kode pertanyaan 'KK1.1' sudah dipakai di baris 2",
        "pertanyaan baris 6 kolom B: indikator 'ZZ9' tidak ada di lembar indikator",
        "pertanyaan baris 8 kolom C: pertanyaan wajib diisi",
        "opsi baris 49 kolom A: pertanyaan 'TIDAKADA' tidak ada di lembar pertanyaan",
        # KM1.1 lost the option row renamed to TIDAKADA, so it has four Likert levels now
        "pertanyaan baris 12 kolom E: opsi KM1.1: jenis likert harus punya tepat lima opsi bernilai 1 sampai 5",
        "opsi baris 17 kolom A: pertanyaan 'KK2.1' tidak ada di lembar pertanyaan (5 baris opsi)",
        "bukti baris 3 kolom D: pertanyaan 'KL9.9' tidak ada di lembar pertanyaan",
        "bukti baris 5 kolom C: wajib harus 'ya' atau 'tidak'",
    ]:
        assert expected in problems, f"{expected}\n--- got:\n{text}"


def test_options_that_do_not_fit_the_kind(exported):
    def change(wb):
        o = wb["opsi"]
        # KK1.1 loses its fifth Likert level; KL4.1's lowest threshold becomes 2.
        for row in o.iter_rows(min_row=2):
            if row[0].value == "KK1.1" and row[1].value == 5:
                row[0].value = None
                row[1].value = None
                row[2].value = None
                row[3].value = None
                row[4].value = None
            if row[0].value == "KL4.1" and row[1].value == 0:
                row[1].value = 2
            if row[0].value == "KL1.1" and row[1].value == 0:
                row[1].value = 1  # duplicate value for yes/no

    problems = refused(edit(exported, change), version="x")
    assert (
        "pertanyaan baris 2 kolom E: opsi KK1.1: jenis likert harus punya tepat lima opsi bernilai 1 sampai 5"
        in problems
    )
    assert any(
        p.startswith("pertanyaan baris ") and "opsi KL4.1: ambang terendah jenis number harus 0" in p
        for p in problems
    )
    assert any(
        p.startswith("opsi baris ") and "nilai 1 untuk pertanyaan 'KL1.1' sudah ada di baris" in p
        for p in problems
    )


def test_a_question_without_options_and_an_indicator_without_questions(exported):
    def change(wb):
        o = wb["opsi"]
        for row in o.iter_rows(min_row=2):
            if row[0].value == "HK4.2":
                for cell in row:
                    cell.value = None
        i = wb["indikator"]
        i.append(["HK", "HK5", "Indikator kosong", 1, 5])

    problems = refused(edit(exported, change), version="x")
    assert any("pertanyaan 'HK4.2' belum punya opsi di lembar opsi" in p for p in problems)
    assert "indikator baris 24 kolom B: indikator 'HK5' belum punya pertanyaan" in problems


def test_bad_codes_and_long_text(exported):
    def change(wb):
        q = wb["pertanyaan"]
        q.cell(row_of(q, 1, "KK1.1"), 1, "KK 1/1")
        v = wb["variabel"]
        v.cell(row_of(v, 1, "KK"), 2, "x" * 101)

    problems = refused(edit(exported, change), version="x")
    assert (
        "pertanyaan baris 2 kolom A: kode 'KK 1/1' hanya boleh berisi huruf, angka, titik, garis bawah, "
        "dan tanda hubung" in problems
    )
    assert "variabel baris 2 kolom B: nama terlalu panjang (maksimal 100 karakter)" in problems


def test_empty_rows_are_skipped(exported):
    def change(wb):
        wb["pertanyaan"].insert_rows(5, amount=3)

    assert xlsx.instrument_import(edit(exported, change), version="x").problems == []


def test_missing_meta_rows(exported):
    def change(wb):
        m = wb["instrumen"]
        m.delete_rows(2, 1)  # versi
        m.cell(5, 1, "warna")

    problems = refused(edit(exported, change))
    assert "instrumen baris 5 kolom A: kunci 'warna' tidak dikenal" in problems
    assert "instrumen: baris 'versi' tidak ada atau kosong" in problems


def test_yes_no_words_and_numbers_in_text_cells(exported):
    def change(wb):
        q = wb["pertanyaan"]
        q.cell(row_of(q, 1, "KK1.1"), 7, "TIDAK")
        q.cell(row_of(q, 1, "KK1.1"), 6, "1,5")

    new = xlsx.instrument_import(edit(exported, change), version="x").instrument
    q = new.questions.get(code="KK1.1")
    assert (q.required, str(q.weight)) == (False, "1.5000")


def test_damaged_copies_never_raise(exported):
    import random

    rng = random.Random(20260401)  # fixed seed: the same damaged files on every run
    for _ in range(30):
        data = bytearray(exported)
        for _ in range(rng.randint(1, 30)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        result = xlsx.instrument_import(bytes(data), version=f"rusak-{rng.random()}")
        assert result.instrument is not None or result.problems
