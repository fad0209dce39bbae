"""Excel bulk entry (assessments/bulk/workbook.py) without HTTP: template, preview problems, atomic apply."""

from __future__ import annotations

import datetime
import io
from unittest import mock

import openpyxl
import pytest
from django.utils import timezone

from assessments.bulk import workbook as excel
from assessments.models import Answer, Collection, Questionnaire
from kotan.lib.service_errors import NotAllowed, ServiceError
from tests.excel_fixtures import family_row, fill
from tests.factories import group, make_collection, make_instrument, make_period, question

HQ = Questionnaire.history.model
HA = Answer.history.model
LAST = excel.FIRST_DATA_ROW + excel.VALIDATED_ROWS - 1


pytestmark = pytest.mark.usefixtures("private_media")  # collection, keluarga: tests/excel_fixtures.py


def nothing_created():
    return not Questionnaire.objects.exists() and not Answer.objects.exists() and not HQ.objects.exists()


# --- template ------------------------------------------------------------------------------------


def test_template_has_the_group_columns_dropdowns_and_a_hidden_meta_sheet(collection, keluarga):
    wb = openpyxl.load_workbook(io.BytesIO(excel.build_template(collection, keluarga)))
    assert wb.sheetnames == ["kuesioner", "petunjuk", "meta"]
    ws = wb["kuesioner"]
    headers = [ws.cell(1, c).value for c in range(1, ws.max_column + 1)]
    assert headers == ["label", "desa_kelurahan", "tanggal_pengisian", "q_likert", "q_yesno", "q_choice"]
    assert ws["D2"].value == "Pertanyaan q_likert?"
    assert "Sangat setuju" in ws["D1"].comment.text
    lists = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert lists[f"D3:D{LAST}"].type == "list" and lists[f"D3:D{LAST}"].formula1 == '"1,2,3,4,5"'
    assert lists[f"E3:E{LAST}"].formula1 == '"Ya,Tidak"'
    assert lists[f"F3:F{LAST}"].formula1 == '"0,1,2,3"'
    assert lists[f"C3:C{LAST}"].type == "date"
    meta = wb["meta"]
    assert meta.sheet_state == "hidden"
    assert meta.protection.sheet
    values = {r[0].value: r[1].value for r in meta.iter_rows()}
    assert values["instrumen"] == collection.period.instrument.version
    assert values["tahun"] == collection.period.year
    assert values["kab_kota"] == "3573"
    assert values["kelompok"] == "keluarga"
    help_text = " ".join(str(c.value) for row in wb["petunjuk"].iter_rows() for c in row if c.value)
    assert "satu baris untuk satu responden" in help_text and "0 = Belum ada" in help_text


def test_number_questions_are_validated_as_numbers_at_least_zero(collection):
    instansi = group(collection.period.instrument, "instansi")
    ws = openpyxl.load_workbook(io.BytesIO(excel.build_template(collection, instansi)))["kuesioner"]
    headers = [ws.cell(1, c).value for c in range(4, ws.max_column + 1)]
    assert headers == ["q_likert", "q_number", "q_likert2"]
    number = next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref) == f"E3:E{LAST}")
    assert (number.type, number.operator, number.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert (
        excel.template_filename(collection, instansi) == f"ikotan-{collection.period.year}-3573-instansi.xlsx"
    )


# --- a good file ---------------------------------------------------------------------------------


def test_sixty_family_questionnaires_import_with_answers_history_and_one_score_request(
    collection, keluarga, bnnk_a, django_capture_on_commit_callbacks
):
    data = fill(excel.build_template(collection, keluarga), [family_row(n) for n in range(60)])
    preview = excel.parse_upload(collection, bnnk_a, io.BytesIO(data), filename="isi.xlsx")
    assert preview.problems == []
    assert len(preview.rows) == 60 and preview.complete_count == 60
    with (
        mock.patch("scoring.scheduling.request_collection_score") as score,
        django_capture_on_commit_callbacks(execute=True),
    ):
        created = excel.apply_upload(preview, bnnk_a)
    score.assert_called_once_with(collection.pk)
    assert len(created) == 60
    qs = Questionnaire.objects.filter(collection=collection)
    assert qs.count() == 60
    assert set(qs.values_list("method", "state", "entered_by", "group")) == {
        ("excel", "complete", bnnk_a.pk, keluarga.pk)
    }
    first = qs.get(label="RT 007")
    assert first.village == "Lowokwaru"
    assert first.filled_on == timezone.localdate() - datetime.timedelta(days=1)
    assert first.completed_at is not None
    inst = collection.period.instrument
    assert dict(first.answers.values_list("question__code", "value")) == {
        "q_likert": 3.0,
        "q_yesno": 1.0,
        "q_choice": 3.0,
    }
    assert Answer.objects.filter(questionnaire__collection=collection).count() == 180
    assert Answer.objects.filter(updated_by=bnnk_a, version=1).count() == 180
    assert HQ.objects.filter(history_type="+", history_user=bnnk_a).count() == 60
    assert HA.objects.filter(history_type="+", history_user=bnnk_a).count() == 180
    assert HA.objects.filter(question=question(inst, "q_yesno"), value=0).count() == 30


def test_rows_missing_required_answers_become_drafts_with_a_warning_and_empty_rows_are_skipped(
    collection, keluarga, bnnk_a
):
    rows = [family_row(1), {}, {"label": "RT tanpa jawaban ya/tidak", "q_likert": 4}, family_row(2)]
    rows[3]["q_choice"] = None  # optional: still complete
    data = fill(excel.build_template(collection, keluarga), rows)
    preview = excel.parse_upload(collection, bnnk_a, data)
    assert [r.row for r in preview.rows] == [3, 5, 6]
    assert preview.errors == []
    [warning] = preview.warnings
    assert warning.row == 5 and "q_yesno" in warning.message and "draf" in warning.message
    created = excel.apply_upload(preview, bnnk_a)
    assert [q.state for q in created] == ["complete", "draft", "complete"]
    assert created[1].completed_at is None and created[1].filled_on == timezone.localdate()
    assert created[2].answers.count() == 2


def test_rows_identical_to_existing_questionnaires_or_to_each_other_are_flagged(collection, keluarga, bnnk_a):
    rows = [family_row(1), family_row(2)]
    excel.apply_upload(
        excel.parse_upload(collection, bnnk_a, fill(excel.build_template(collection, keluarga), rows)), bnnk_a
    )
    first = Questionnaire.objects.get(label="RT 001")
    again = fill(excel.build_template(collection, keluarga), [family_row(1), family_row(3), family_row(3)])
    preview = excel.parse_upload(collection, bnnk_a, again)
    assert preview.errors == []
    assert [(w.row, w.level) for w in preview.warnings] == [(3, "warning"), (5, "warning")]
    assert f"kuesioner #{first.pk}" in preview.warnings[0].message
    assert "baris 4" in preview.warnings[1].message
    assert preview.ok  # a warning never blocks: two households may truly answer alike


def test_yes_no_accepts_words_numbers_and_excel_booleans_and_dates_accept_common_spellings(
    collection, keluarga, bnnk_a
):
    rows = [
        {"label": "a", "q_likert": "5", "q_yesno": "tidak", "tanggal_pengisian": "01-02-2024"},
        {"label": "b", "q_likert": 2.0, "q_yesno": 1, "tanggal_pengisian": "2024/02/03"},
        {"label": "c", "q_likert": 3, "q_yesno": True, "tanggal_pengisian": 45000},
    ]
    preview = excel.parse_upload(collection, bnnk_a, fill(excel.build_template(collection, keluarga), rows))
    assert preview.errors == []
    assert [r.filled_on for r in preview.rows] == [
        datetime.date(2024, 2, 1),
        datetime.date(2024, 2, 3),
        datetime.date(2023, 3, 15),
    ]
    likert, yesno = question(keluarga.instrument, "q_likert"), question(keluarga.instrument, "q_yesno")
    assert [(r.answers[likert.pk], r.answers[yesno.pk]) for r in preview.rows] == [
        (5.0, 0.0),
        (2.0, 1.0),
        (3.0, 1.0),
    ]


# --- problems: each creates nothing --------------------------------------------------------------


def test_value_out_of_range_is_a_problem_with_row_and_column(collection, keluarga, bnnk_a):
    rows = [family_row(1), {**family_row(2), "q_likert": 7, "q_choice": "dua"}]
    preview = excel.parse_upload(collection, bnnk_a, fill(excel.build_template(collection, keluarga), rows))
    assert [(p.row, p.column, p.header) for p in preview.errors] == [
        (4, "D", "q_likert"),
        (4, "F", "q_choice"),
    ]
    assert "di luar pilihan" in preview.errors[0].message
    assert preview.errors[0].where == "Baris 4, kolom D (q_likert)"
    assert "harus berupa angka" in preview.errors[1].message
    assert not preview.rows[1].complete
    with pytest.raises(ServiceError) as exc:
        excel.apply_upload(preview, bnnk_a)
    assert exc.value.code == "has_errors"
    assert nothing_created()


def test_future_date_and_too_long_label_are_problems(collection, keluarga, bnnk_a):
    rows = [
        {**family_row(1), "tanggal_pengisian": timezone.localdate() + datetime.timedelta(days=2)},
        {**family_row(2), "label": "x" * 201},
        {**family_row(3), "tanggal_pengisian": "kemarin"},
    ]
    preview = excel.parse_upload(collection, bnnk_a, fill(excel.build_template(collection, keluarga), rows))
    assert [(p.row, p.column) for p in preview.errors] == [(3, "C"), (4, "A"), (5, "C")]
    assert "masa depan" in preview.errors[0].message
    assert "maksimal 200" in preview.errors[1].message
    assert "tidak dikenali" in preview.errors[2].message


def test_unknown_column_and_a_question_of_another_group_are_problems(collection, keluarga, bnnk_a):
    data = fill(
        excel.build_template(collection, keluarga),
        [{**family_row(1), "q_zzz": 3, "q_number": 4}],
        extra_headers={"G": "q_zzz", "H": "q_number"},
    )
    preview = excel.parse_upload(collection, bnnk_a, data)
    assert [(p.row, p.column, p.header) for p in preview.errors] == [(1, "G", "q_zzz"), (1, "H", "q_number")]
    assert "Kolom tidak dikenal" in preview.errors[0].message
    assert "tidak ditanyakan kepada kelompok Keluarga" in preview.errors[1].message
    with pytest.raises(ServiceError):
        excel.apply_upload(preview, bnnk_a)
    assert nothing_created()


def test_data_in_a_column_without_code_and_a_removed_question_column(collection, keluarga, bnnk_a):
    template = excel.build_template(collection, keluarga)
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["kuesioner"]
    ws["E1"] = None  # the q_yesno code deleted
    ws["A3"], ws["D3"], ws["E3"], ws["J3"] = "RT 1", 4, "Ya", "catatan"
    out = io.BytesIO()
    wb.save(out)
    preview = excel.parse_upload(collection, bnnk_a, out.getvalue())
    assert [(p.row, p.column) for p in preview.errors] == [(3, "E"), (3, "J")]
    assert "tidak memiliki kode" in preview.errors[0].message
    assert any("q_yesno" in w.message and w.row is None for w in preview.warnings)


def test_another_kab_kotas_file_is_refused(collection, keluarga, bnnk_a, regency_b):
    theirs = make_collection(regency_b, period=collection.period)
    data = fill(excel.build_template(theirs, keluarga), [family_row(1)])
    preview = excel.parse_upload(collection, bnnk_a, data)
    assert preview.fatal and preview.rows == []
    [problem] = preview.problems
    assert "kab/kota lain" in problem.message and "Kabupaten Malang" in problem.message
    with pytest.raises(ServiceError):
        excel.apply_upload(preview, bnnk_a)
    assert nothing_created()


def test_another_instrument_version_or_period_is_refused(collection, keluarga, bnnk_a):
    template = excel.build_template(collection, keluarga)
    preview = excel.parse_upload(
        collection, bnnk_a, fill(template, [family_row(1)], meta={"instrumen": "2019-lama"})
    )
    assert preview.fatal
    assert "versi 2019-lama" in preview.problems[0].message
    assert collection.period.instrument.version in preview.problems[0].message
    preview = excel.parse_upload(collection, bnnk_a, fill(template, [family_row(1)], meta={"tahun": 1999}))
    assert preview.fatal and "periode 1999" in preview.problems[0].message
    preview = excel.parse_upload(collection, bnnk_a, fill(template, [family_row(1)], meta={"kelompok": "x"}))
    assert preview.fatal and "tidak dikenal" in preview.problems[0].message
    assert nothing_created()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "kosong"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500, "bukan XLSX"),
        (b"nama,desa\nRT 1,Lowokwaru\n", "bukan XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "format Excel lama"),
        (b"PK\x03\x04" + b"\x13" * 400, "rusak"),
    ],
    ids=["empty", "exe-renamed", "csv", "xls", "corrupt-zip"],
)
def test_bytes_that_are_not_an_xlsx_get_a_clear_message(collection, bnnk_a, data, expected):
    preview = excel.parse_upload(collection, bnnk_a, io.BytesIO(data), filename="kuesioner.xlsx")
    assert preview.fatal
    assert expected in preview.problems[0].message
    assert nothing_created()


def test_a_truncated_template_and_a_zip_that_is_no_workbook_are_refused(collection, keluarga, bnnk_a):
    data = fill(excel.build_template(collection, keluarga), [family_row(1)])
    preview = excel.parse_upload(collection, bnnk_a, data[: len(data) // 2])
    assert preview.fatal and "rusak" in preview.problems[0].message
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    preview = excel.parse_upload(collection, bnnk_a, buffer.getvalue())
    assert preview.fatal and "bukan XLSX" in preview.problems[0].message


def test_an_empty_workbook_and_an_empty_template_are_refused(collection, keluarga, bnnk_a):
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    preview = excel.parse_upload(collection, bnnk_a, out.getvalue())
    assert preview.fatal and "bukan template IKOTAN" in preview.problems[0].message
    preview = excel.parse_upload(collection, bnnk_a, excel.build_template(collection, keluarga))
    assert not preview.fatal and preview.rows == []
    assert "Tidak ada baris yang terisi" in preview.errors[0].message
    with pytest.raises(ServiceError):
        excel.apply_upload(preview, bnnk_a)


def test_too_many_rows_and_too_big_files_are_refused(collection, keluarga, bnnk_a, monkeypatch):
    data = fill(excel.build_template(collection, keluarga), [family_row(n) for n in range(6)])
    monkeypatch.setattr(excel, "MAX_ROWS", 5)
    preview = excel.parse_upload(collection, bnnk_a, data)
    assert preview.fatal and preview.rows == [] and "lebih dari 5 baris" in preview.problems[0].message
    monkeypatch.setattr(excel, "MAX_BYTES", 1000)
    preview = excel.parse_upload(collection, bnnk_a, data)
    assert preview.fatal and "terlalu besar" in preview.problems[0].message


# --- apply: atomic, rechecked -------------------------------------------------------------------


def test_an_error_in_the_middle_of_apply_leaves_nothing(collection, keluarga, bnnk_a):
    preview = excel.parse_upload(
        collection,
        bnnk_a,
        fill(excel.build_template(collection, keluarga), [family_row(n) for n in range(5)]),
    )
    real = excel.bulk_create_with_history

    def fail_on_answers(objs, model, **kwargs):
        if model is Answer:
            raise RuntimeError("disk penuh")
        return real(objs, model, **kwargs)

    with (
        mock.patch("assessments.bulk.workbook.bulk_create_with_history", side_effect=fail_on_answers),
        pytest.raises(RuntimeError),
    ):
        excel.apply_upload(preview, bnnk_a)
    assert nothing_created()
    assert not HA.objects.exists()


def test_apply_is_refused_when_the_deadline_passed_after_the_preview(collection, keluarga, bnnk_a):
    preview = excel.parse_upload(
        collection, bnnk_a, fill(excel.build_template(collection, keluarga), [family_row(1)])
    )
    assert preview.ok
    today = timezone.localdate()
    type(collection.period).objects.filter(pk=collection.period_id).update(
        collection_deadline=today - datetime.timedelta(days=1)
    )
    with pytest.raises(NotAllowed) as exc:
        excel.apply_upload(preview, bnnk_a)
    assert "telah lewat" in exc.value.message
    assert nothing_created()


def test_a_submitted_collection_or_another_user_gets_a_message_and_nothing(
    collection, keluarga, bnnk_a, bnnk_b, bnnp_a
):
    data = fill(excel.build_template(collection, keluarga), [family_row(1)])
    for user in (bnnk_b, bnnp_a):
        preview = excel.parse_upload(collection, user, data)
        assert preview.fatal and "Hanya petugas BNNK" in preview.problems[0].message
    Collection.objects.filter(pk=collection.pk).update(state="submitted")
    collection.refresh_from_db()
    preview = excel.parse_upload(collection, bnnk_a, data)
    assert preview.fatal and "Dikirim" in preview.problems[0].message
    assert nothing_created()


def test_a_preview_from_another_user_cannot_be_applied_by_a_foreign_bnnk(
    collection, keluarga, bnnk_a, bnnk_b
):
    preview = excel.parse_upload(
        collection, bnnk_a, fill(excel.build_template(collection, keluarga), [family_row(1)])
    )
    with pytest.raises(NotAllowed):
        excel.apply_upload(preview, bnnk_b)
    assert nothing_created()


def test_parse_uses_a_fixed_number_of_queries(collection, keluarga, bnnk_a, django_assert_max_num_queries):
    small = fill(excel.build_template(collection, keluarga), [family_row(n) for n in range(3)])
    big = fill(excel.build_template(collection, keluarga), [family_row(n) for n in range(120)])
    with django_assert_max_num_queries(12) as ctx:
        excel.parse_upload(collection, bnnk_a, small)
    queries_small = len(ctx.captured_queries)
    with django_assert_max_num_queries(queries_small):
        assert len(excel.parse_upload(collection, bnnk_a, big).rows) == 120


# --- the upload waiting between preview and apply ------------------------------------------------


def test_a_pending_upload_is_claimed_once_and_only_by_its_user_and_collection(collection):
    token = excel.pending_save(b"abc", user_id=1, collection_id=collection.pk)
    assert excel.pending_load(token, user_id=2, collection_id=collection.pk) is None
    assert excel.pending_claim(token, user_id=1, collection_id=collection.pk + 1) is None
    assert excel.pending_claim("../../etc/passwd", user_id=1, collection_id=collection.pk) is None
    assert excel.pending_claim(token, user_id=1, collection_id=collection.pk) == b"abc"
    assert excel.pending_claim(token, user_id=1, collection_id=collection.pk) is None
    excel.pending_release(token, user_id=1, collection_id=collection.pk)
    assert excel.pending_claim(token, user_id=1, collection_id=collection.pk) == b"abc"
    excel.pending_discard(token, user_id=1, collection_id=collection.pk)
    assert list(excel.pending_dir().iterdir()) == []


def test_old_pending_uploads_are_swept(collection):
    excel.pending_save(b"abc", user_id=1, collection_id=collection.pk)
    assert excel.pending_sweep(max_age=3600) == 0
    assert excel.pending_sweep(max_age=-1) == 1


def test_another_instrument_version_template_of_a_later_period(collection, keluarga, bnnk_a, regency_a):
    """A template of another year made with another instrument: the period is named first."""
    other = make_collection(regency_a, period=make_period(make_instrument(), [regency_a]))
    data = fill(excel.build_template(other, group(other.period.instrument, "keluarga")), [family_row(1)])
    preview = excel.parse_upload(collection, bnnk_a, data)
    assert preview.fatal and "periode" in preview.problems[0].message
    assert nothing_created()
