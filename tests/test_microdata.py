"""The anonymised microdata (reports.microdata, reports.microdata_files, the page and downloads): one row per
counted questionnaire and one column per question, nothing identifying in any format, scope (BNN pusat all,
a BNNP its province, a BNNK nothing), every format opens with its labels, the codebook has a row per column,
and the reliability page and task on the same data."""

from __future__ import annotations

import csv
import io
import zipfile
from unittest import mock

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.autosave import writes
from assessments.links import services as links
from assessments.models import Answer, Collection, Questionnaire
from reports import microdata, microdata_exports, microdata_files, microdata_tasks
from scoring import reliability_store, reliability_tasks, signals
from scoring.models import MicrodataExport, ReliabilityReport
from tests.factories import complete_questionnaire, group, make_collection, make_period, make_score, question

pytestmark = pytest.mark.django_db

YEAR = 2031
NAME = "Keluarga Bapak Suparmanto"
VILLAGE = "Desa Sukamakmurjaya"
FAMILY = [
    {"q_likert": "4", "q_yesno": "1", "q_choice": "2"},
    {"q_likert": "2", "q_yesno": "0", "q_choice": "1"},
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _named(collection, user, answers):
    inst = collection.period.instrument
    qn = services.questionnaire_create(
        collection=collection, group=group(inst, "keluarga"), user=user, label=NAME, village=VILLAGE
    )
    for code, raw in answers.items():
        writes.questionnaire_save_answer(
            questionnaire=qn, question=question(inst, code), raw_value=raw, base_version=0, user=user
        )
    services.questionnaire_complete(questionnaire=qn, user=user)
    return qn


@pytest.fixture
def world(regency_a, regency_b, regency_other, bnnk_a, bnnk_b, bnnk_other):
    period = make_period(regencies=[regency_a, regency_b, regency_other], year=YEAR)
    a, b, other = (make_collection(r, period) for r in (regency_a, regency_b, regency_other))
    _named(a, bnnk_a, FAMILY[0])
    complete_questionnaire(a, bnnk_a, "keluarga", FAMILY[1])
    complete_questionnaire(a, bnnk_a, "keluarga", {"q_likert": "5", "q_yesno": "1", "q_choice": "3"})
    complete_questionnaire(a, bnnk_a, "instansi", {"q_likert": "3", "q_number": "7", "q_likert2": "5"})
    link = links.link_create(collection=a, group=group(period.instrument, "keluarga"), user=bnnk_a)
    complete_questionnaire(b, bnnk_b, "keluarga", FAMILY[0])
    complete_questionnaire(other, bnnk_other, "keluarga", FAMILY[1])
    draft = services.questionnaire_create(
        collection=a, group=group(period.instrument, "keluarga"), user=bnnk_a
    )
    Collection.objects.filter(pk__in=[a.pk, b.pk, other.pk]).update(state=Collection.State.SUBMITTED)
    return {"period": period, "token": link.token, "draft": draft}


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what a request sends after commit (the task, eager in tests), as a real commit would."""

    def post(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return post


@pytest.fixture
def build(commit):
    def run(client, scope=""):
        response = commit(client, reverse("reports:microdata_prepare", args=[YEAR]), {"provinsi": scope})
        assert response.status_code == 302
        return response

    return run


def _get(client, fmt, scope=""):
    url = reverse("reports:microdata_file", args=[YEAR, fmt]) + (f"?provinsi={scope}" if scope else "")
    response = client.get(url)
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def test_national_csv_rows_columns_and_nothing_identifying(build, client_for, pusat, world):
    client = client_for(pusat)
    build(client)  # eager Celery: built by the time the redirect is answered
    body = _get(client, "csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert (
        len(rows) == 6
    )  # the complete questionnaires of the three kab/kota; not the draft nor the open link
    assert list(rows[0])[:4] == ["baris", "kode_provinsi", "kode_kabkota", "kelompok"]
    assert list(rows[0])[4:] == ["q_likert", "q_yesno", "q_choice", "q_number", "q_likert2"]
    assert [r["baris"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert [r["kode_kabkota"] for r in rows] == ["1504", "3507", "3573", "3573", "3573", "3573"]
    mine = [r for r in rows if r["kode_kabkota"] == "3573" and r["kelompok"] == "instansi"]
    assert mine == [dict(mine[0], q_likert="3", q_number="7", q_likert2="5", q_yesno="", q_choice="")]
    assert str(world["draft"].pk) + "," not in body.decode()  # no internal id (the CSV is text)
    for fmt in ("csv", "xlsx", "dta", "sav", "codebook"):
        content = _readable(fmt, _get(client, fmt))
        for secret in (NAME, VILLAGE, world["token"]):
            assert secret.encode() not in content, (fmt, secret)
        assert b"Suparmanto" not in content and b"Sukamakmur" not in content


def _readable(fmt: str, content: bytes) -> bytes:
    """A file's bytes as a text search sees them: an XLSX (a zip) by its members' uncompressed XML."""
    if fmt not in ("xlsx", "codebook"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def test_each_format_opens_with_labels_and_codebook_has_a_row_per_column(
    build, client_for, pusat, world, tmp_path
):
    client = client_for(pusat)
    build(client)
    columns = [
        "baris",
        "kode_provinsi",
        "kode_kabkota",
        "kelompok",
        "q_likert",
        "q_yesno",
        "q_choice",
        "q_number",
        "q_likert2",
    ]
    dta = pd.read_stata(io.BytesIO(_get(client, "dta")), convert_categoricals=False)
    assert list(dta.columns) == columns and len(dta) == 6
    with pd.io.stata.StataReader(io.BytesIO(_get(client, "dta"))) as reader:
        reader.read()
        assert reader.variable_labels()["q_likert"] == "Pertanyaan q_likert?"
        assert reader.value_labels()["q_yesno"] == {0: "Tidak", 1: "Ya"}
    path = tmp_path / "m.sav"
    path.write_bytes(_get(client, "sav"))
    sav, meta = pyreadstat.read_sav(str(path))
    assert list(sav.columns) == columns and len(sav) == 6
    assert meta.column_names_to_labels["q_likert2"] == "Pertanyaan q_likert2?"
    assert meta.variable_value_labels["q_likert"][5.0] == "Sangat setuju"
    assert meta.variable_value_labels["kelompok"]["keluarga"] == "Keluarga"
    book = openpyxl.load_workbook(io.BytesIO(_get(client, "xlsx")), read_only=True)
    data = list(book["mikrodata"].iter_rows(values_only=True))
    assert list(data[0]) == columns and len(data) == 7
    codebook = list(
        openpyxl.load_workbook(io.BytesIO(_get(client, "codebook"))).active.iter_rows(values_only=True)
    )
    assert [r[0] for r in codebook[1:]] == columns  # one row per column, in order
    choice = next(r for r in codebook if r[0] == "q_choice")
    assert choice[4] == "0 = Belum ada; 1 = Draf; 2 = Ditetapkan; 3 = Dilaksanakan dan dievaluasi"
    assert choice[5] == "keluarga" and choice[6] == "KK" and choice[7] == "KK2"


def test_bnnp_gets_only_its_province(build, client_for, bnnp_a, world):
    client = client_for(bnnp_a)
    page = client.get(reverse("reports:microdata", args=[YEAR]))
    assert page.status_code == 200 and page.context["scope"] == "35"
    build(client)
    rows = list(csv.DictReader(io.StringIO(_get(client, "csv").decode())))
    assert {r["kode_provinsi"] for r in rows} == {"35"} and len(rows) == 5
    assert client.get(reverse("reports:microdata", args=[YEAR]) + "?provinsi=15").status_code == 404
    assert (
        client.post(reverse("reports:microdata_prepare", args=[YEAR]), {"provinsi": "15"}).status_code == 404
    )
    assert MicrodataExport.objects.filter(scope_key="15").count() == 0


def test_bnnk_is_refused(client_for, bnnk_a, world):
    client = client_for(bnnk_a)
    assert client.get(reverse("reports:microdata", args=[YEAR])).status_code == 403
    assert client.post(reverse("reports:microdata_prepare", args=[YEAR]), {}).status_code == 403
    assert client.get(reverse("reports:microdata_file", args=[YEAR, "csv"])).status_code == 403
    assert not MicrodataExport.objects.exists()


def test_page_states_and_a_second_click_builds_nothing(build, client_for, pusat, world):
    client = client_for(pusat)
    url = reverse("reports:microdata", args=[YEAR])
    assert client.get(url).context["export"].state == microdata_exports.NONE
    assert client.get(reverse("reports:microdata_file", args=[YEAR, "csv"])).status_code == 404
    build(client)
    assert client.get(url).context["export"].state == microdata_exports.READY
    built = MicrodataExport.objects.get().built_at
    build(client)  # ready: nothing to do
    assert MicrodataExport.objects.get().built_at == built
    Questionnaire.objects.filter(pk=world["draft"].pk).update(
        state=Questionnaire.State.COMPLETE, completed_at=timezone.now()
    )  # one more counted
    assert client.get(url).context["export"].state == microdata_exports.OUTDATED


def test_reliability_page_hitung_and_states(commit, client_for, pusat, world):
    client = client_for(pusat)
    url = reverse("reports:reliability", args=[YEAR])
    page = client.get(url)
    assert page.context["state"] == "none" and not ReliabilityReport.objects.exists()  # GET computes nothing
    response = commit(client, reverse("reports:reliability_compute", args=[YEAR]))
    assert response.status_code == 302
    page = client.get(url)
    assert page.context["state"] in ("ready", "outdated")
    data = ReliabilityReport.objects.get().data
    # keluarga answers q_likert, q_yesno, q_choice (variable KK): 5 complete questionnaires in all.
    kk = next(r for r in data["variables"] if r["variable"] == "KK" and r["group"] == "keluarga")
    assert kk["k"] == 3 and kk["n"] == 5 and kk["alpha"] is not None
    assert {r["province"] for r in data["provinces"]} == {"35", "15"}
    assert b"reliability-items" in page.content


@pytest.mark.parametrize("user", ["bnnp_a", "bnnk_a"])
def test_reliability_is_pusat_only(client_for, request, user, world):
    client = client_for(request.getfixturevalue(user))
    assert client.get(reverse("reports:reliability", args=[YEAR])).status_code == 403
    assert client.post(reverse("reports:reliability_compute", args=[YEAR])).status_code == 403
    assert not ReliabilityReport.objects.exists()


def test_pusat_gets_a_province_scope_on_asking(build, client_for, pusat, world):
    client = client_for(pusat)
    build(client, scope="15")
    rows = list(csv.DictReader(io.StringIO(_get(client, "csv", scope="15").decode())))
    assert [(r["kode_provinsi"], r["kode_kabkota"], r["baris"]) for r in rows] == [("15", "1504", "1")]
    assert (
        client.get(reverse("reports:microdata_file", args=[YEAR, "csv"])).status_code == 404
    )  # national: not built


def test_a_broker_that_refuses_the_build_is_shown_as_failed(commit, client_for, pusat, world):
    client = client_for(pusat)
    with mock.patch.object(
        microdata_tasks.build_microdata, "apply_async", side_effect=OSError("broker down")
    ):
        commit(client, reverse("reports:microdata_prepare", args=[YEAR]))
    page = client.get(reverse("reports:microdata", args=[YEAR]))
    assert page.context["export"].state == microdata_exports.FAILED
    assert "Coba lagi" in page.content.decode()


def test_reliability_task_failure_and_broker_failure_are_shown(commit, client_for, pusat, world):
    client = client_for(pusat)
    url = reverse("reports:reliability", args=[YEAR])
    with mock.patch.object(reliability_store, "reliability_data", side_effect=ValueError("bad data")):
        commit(client, reverse("reports:reliability_compute", args=[YEAR]))
    assert client.get(url).context["state"] == reliability_store.FAILED
    with mock.patch.object(reliability_tasks.compute_reliability, "apply_async", side_effect=OSError("down")):
        commit(client, reverse("reports:reliability_compute", args=[YEAR]))
    assert client.get(url).context["state"] == reliability_store.FAILED
    commit(client, reverse("reports:reliability_compute", args=[YEAR]))  # "Hitung ulang" works again
    assert client.get(url).context["state"] in (reliability_store.READY, reliability_store.OUTDATED)


def test_a_second_click_while_running_queues_nothing(world):
    period_id = world["period"].pk
    assert reliability_store.mark_requested(period_id) is True
    assert reliability_store.mark_requested(period_id) is False  # queued, not finished: one computation
    assert reliability_store.state_of(world["period"]).state == reliability_store.RUNNING


def test_stored_scores_ask_for_the_reliability_once_per_burst(settings, world):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.clear()
    with mock.patch.object(reliability_tasks.compute_reliability, "apply_async") as send:
        for _ in range(3):  # a burst of score changes
            signals.scores_stored.send(sender=None, period_id=world["period"].pk, collection_ids=[1])
    assert send.call_count == 1
    assert send.call_args.kwargs["countdown"] == settings.REPORT_RENDER_DEBOUNCE_SECONDS


def test_reliability_is_unchanged_when_its_inputs_are(world):
    period = world["period"]
    make_score(Collection.objects.filter(period=period).first(), 70.0, {"KK": 70.0})
    assert reliability_store.compute(period.pk)["computed"] == period.pk
    stored = ReliabilityReport.objects.get()
    assert reliability_store.compute(period.pk) == {"unchanged": period.pk}
    assert ReliabilityReport.objects.get().data == stored.data
    make_score(Collection.objects.filter(period=period).last(), 50.0, {"KK": 50.0})  # inputs changed
    assert reliability_store.state_of(period).state == reliability_store.OUTDATED


def test_a_value_no_option_has_keeps_the_file_valid_without_that_columns_labels(
    build, client_for, pusat, world
):
    Answer.objects.filter(question__code="q_choice", questionnaire__collection__regency__code="1504").update(
        value=2.5
    )  # e.g. an option changed after the answer was given
    client = client_for(pusat)
    build(client)
    rows = list(csv.DictReader(io.StringIO(_get(client, "csv").decode())))
    assert rows[0]["kode_kabkota"] == "1504" and rows[0]["q_choice"] == "2.5"
    with pd.io.stata.StataReader(io.BytesIO(_get(client, "dta"))) as reader:
        data = reader.read(convert_categoricals=False)
        assert "q_choice" not in reader.value_labels() and "q_yesno" in reader.value_labels()
    assert data["q_choice"].tolist()[:2] == [2.5, 2.0]


@pytest.mark.parametrize(
    ("user", "path", "links"),
    [
        ("pusat", "/laporan/nasional/", ["mikrodata/", "reliabilitas/"]),
        ("pusat", "/survei/progres/", ["mikrodata/", "reliabilitas/"]),
        ("bnnp_a", "/laporan/provinsi/35/", ["mikrodata/"]),
        ("bnnp_a", "/survei/progres/", ["mikrodata/"]),
        ("bnnk_a", "/survei/progres/", []),
    ],
)
def test_pages_link_the_analysts_pages_to_whom_may_open_them(client_for, request, world, user, path, links):
    body = (
        client_for(request.getfixturevalue(user)).get(path + f"?tahun={YEAR}", follow=True).content.decode()
    )
    found = [link for link in ("mikrodata/", "reliabilitas/") if f"/laporan/{YEAR}/{link}" in body]
    assert found == links


def test_column_names_are_valid_for_stata_and_spss_and_unique():
    taken = set(microdata.FIXED)
    names = [microdata.column_name(code, taken) for code in ("KK1.1", "KK1-1", "1.2", "baris", "x" * 40)]
    assert names == ["KK1_1", "KK1_1_2", "q1_2", "baris_2", "x" * 30]


def test_long_labels_are_cut_to_each_formats_limit(tmp_path):
    label = "Apakah kepala daerah telah menetapkan Tim Terpadu P4GN — " + "é" * 300
    cols = [
        microdata.Column("baris", "Nomor baris", "int"),
        microdata.Column("kelompok", "Kelompok responden", "text"),
        microdata.Column("KL1_1", label, "yesno", 1, "KL1.1", {0: "Tidak", 1: "Ya"}),
    ]
    frame = pd.DataFrame(
        {"baris": [1, 2], "kelompok": ["instansi", "swasta"], "KL1_1": pd.array([1, None], dtype="Int8")}
    )
    groups = {"instansi": "Instansi Pemerintah", "swasta": "Swasta"}
    microdata_files._stata(frame, cols, tmp_path / "m.dta", groups)
    microdata_files._spss(frame, cols, tmp_path / "m.sav", groups)
    with pd.io.stata.StataReader(tmp_path / "m.dta") as reader:
        reader.read()
        assert reader.variable_labels()["KL1_1"] == label[:80]
    _data, meta = pyreadstat.read_sav(str(tmp_path / "m.sav"))
    cut = meta.column_names_to_labels["KL1_1"]
    assert label.startswith(cut) and len(cut.encode()) <= 250 and len(cut) > 80


def test_the_last_files_stay_offered_while_a_new_build_runs(build, client_for, pusat, world):
    client = client_for(pusat)
    build(client)
    first = _get(client, "csv")
    excluded = Questionnaire.objects.filter(label=NAME).update(
        state=Questionnaire.State.EXCLUDED, excluded_reason="Jawaban tidak wajar", completed_at=None
    )
    assert excluded == 1
    period = world["period"]
    assert microdata_exports.claim(period, "")  # outdated: a click queues a new build (not run yet)
    page = client.get(reverse("reports:microdata", args=[YEAR]))
    assert page.context["export"].state == microdata_exports.PENDING
    assert b'data-testid="microdata-files"' in page.content and _get(client, "csv") == first
    microdata_exports.run(period.pk, "")
    assert len(_get(client, "csv").decode().splitlines()) == len(first.decode().splitlines()) - 1
