"""Excel bulk entry pages: template download, upload -> preview -> apply/cancel, scope and closed states."""

from __future__ import annotations

import datetime
import io
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.bulk import workbook as excel
from assessments.models import Collection, Questionnaire
from tests.excel_fixtures import family_row, fill
from tests.factories import make_collection

pytestmark = pytest.mark.usefixtures("private_media")  # collection, keluarga: tests/excel_fixtures.py


def url(name: str, collection: Collection, *extra) -> str:
    return reverse(f"assessments:{name}", args=[collection.period.year, collection.regency.code, *extra])


def xlsx(data: bytes, name: str = "isi.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=excel.XLSX_CONTENT_TYPE)


def upload(client, collection, data: bytes, name: str = "isi.xlsx"):
    return client.post(url("excel_upload", collection), {"berkas": xlsx(data, name)})


def good_file(collection, keluarga, n: int = 60) -> bytes:
    return fill(excel.build_template(collection, keluarga), [family_row(i) for i in range(n)])


def pending_files() -> list:
    path = excel.pending_dir()
    return sorted(p.name for p in path.iterdir())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- template download ---------------------------------------------------------------------------


def test_bnnk_downloads_a_group_template_with_a_good_filename(client_for, bnnk_a, collection, keluarga):
    response = client_for(bnnk_a).get(url("excel_template", collection, "keluarga"))
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    year = collection.period.year
    assert response["Content-Disposition"] == f'attachment; filename="ikotan-{year}-3573-keluarga.xlsx"'
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb["meta"].sheet_state == "hidden"


def test_template_of_an_unknown_group_is_404(client_for, bnnk_a, collection):
    assert client_for(bnnk_a).get(url("excel_template", collection, "tidak-ada")).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("bnnk_b", 404), ("bnnk_other", 404), ("bnnp_other", 404), ("bnnp_a", 403), ("pusat", 403)],
)
def test_only_the_kab_kotas_bnnk_reaches_the_excel_pages(
    request, client_for, collection, keluarga, who, status
):
    client = client_for(request.getfixturevalue(who))
    assert client.get(url("excel_template", collection, "keluarga")).status_code == status
    assert client.get(url("excel_upload", collection)).status_code == status
    assert client.get(url("excel_preview", collection)).status_code == status
    response = upload(client, collection, good_file(collection, keluarga, 2))
    assert response.status_code == status
    assert client.post(url("excel_apply", collection), {"unggahan": "x" * 32}).status_code == status
    assert client.post(url("excel_cancel", collection)).status_code == status
    assert not Questionnaire.objects.exists()


def test_anonymous_is_sent_to_login(client, collection):
    response = client.get(url("excel_upload", collection))
    assert response.status_code == 302 and "/akun/login/" in response["Location"]


# --- upload, preview, apply ----------------------------------------------------------------------


def test_sixty_rows_upload_preview_and_apply_once(
    client_for, bnnk_a, collection, keluarga, django_capture_on_commit_callbacks
):
    client = client_for(bnnk_a)
    assert client.get(url("excel_upload", collection)).status_code == 200
    response = upload(client, collection, good_file(collection, keluarga))
    assert response.status_code == 302 and response["Location"] == url("excel_preview", collection)
    assert not Questionnaire.objects.exists()  # nothing before "Terapkan"

    page = client.get(url("excel_preview", collection))
    assert page.status_code == 200
    html = page.content.decode()
    assert "60 kuesioner siap diimpor: 60 lengkap, 0 draf." in html
    assert html.count('data-line="') == 60
    token = client.session[f"excel_upload_{collection.pk}"]["token"]
    assert f'value="{token}"' in html

    with (
        mock.patch("scoring.scheduling.request_collection_score") as score,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url("excel_apply", collection), {"unggahan": token}, follow=True)
    assert Questionnaire.objects.filter(collection=collection, method="excel", state="complete").count() == 60
    score.assert_called_once_with(collection.pk)
    assert "60 kuesioner diimpor dari Excel (60 lengkap, 0 draf)." in messages_of(response)
    assert pending_files() == []

    # The double click: the same form posted again imports nothing more.
    again = client.post(url("excel_apply", collection), {"unggahan": token}, follow=True)
    assert again.status_code == 200
    assert Questionnaire.objects.count() == 60
    assert any("tidak ada yang diimpor lagi" in m for m in messages_of(again))


def test_a_concurrent_second_apply_finds_the_upload_taken(client_for, bnnk_a, collection, keluarga):
    client = client_for(bnnk_a)
    upload(client, collection, good_file(collection, keluarga, 3))
    token = client.session[f"excel_upload_{collection.pk}"]["token"]
    # The first request has claimed the file and is still importing.
    assert excel.pending_claim(token, user_id=bnnk_a.pk, collection_id=collection.pk)
    response = client.post(url("excel_apply", collection), {"unggahan": token}, follow=True)
    assert any("tidak diimpor dua kali" in m for m in messages_of(response))
    assert not Questionnaire.objects.exists()


def test_preview_lists_problems_with_row_and_column_and_apply_is_refused(
    client_for, bnnk_a, collection, keluarga
):
    client = client_for(bnnk_a)
    data = fill(
        excel.build_template(collection, keluarga),
        [family_row(1), {**family_row(2), "q_likert": 9}, {"label": "RT draf", "q_likert": 3}],
    )
    assert upload(client, collection, data).status_code == 302
    page = client.get(url("excel_preview", collection))
    html = page.content.decode()
    assert 'data-testid="excel-blocked"' in html
    assert 'data-row="4" data-column="D"' in html
    assert "Baris 4, kolom D (q_likert)" in html
    assert "Nilai 9 di luar pilihan yang tersedia" in html
    assert "diimpor sebagai draf" in html
    assert 'disabled aria-disabled="true" data-testid="excel-apply"' in html
    token = client.session[f"excel_upload_{collection.pk}"]["token"]
    response = client.post(url("excel_apply", collection), {"unggahan": token}, follow=True)
    assert not Questionnaire.objects.exists()
    assert any("masih bermasalah" in m for m in messages_of(response))
    assert response.redirect_chain[-1][0] == url("excel_preview", collection)
    assert len(pending_files()) == 1  # still there to look at


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "bukan XLSX"),
        (b"PK\x03\x04" + b"\xff" * 300, "rusak"),
        (b"", "Pilih berkas"),
    ],
    ids=["exe", "corrupt", "empty"],
)
def test_unreadable_files_stay_on_the_upload_page_with_a_message(
    client_for, bnnk_a, collection, data, expected
):
    response = upload(client_for(bnnk_a), collection, data, name="kuesioner.xlsx")
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert pending_files() == []
    assert not Questionnaire.objects.exists()


def test_another_kab_kotas_file_is_refused_on_upload(client_for, bnnk_a, collection, keluarga, regency_b):
    theirs = make_collection(regency_b, period=collection.period)
    data = fill(excel.build_template(theirs, keluarga), [family_row(1)])
    response = upload(client_for(bnnk_a), collection, data)
    assert response.status_code == 400
    assert "milik kab/kota lain" in response.content.decode()
    assert pending_files() == []


def test_a_huge_body_is_refused_before_reading(client_for, bnnk_a, collection, monkeypatch):
    monkeypatch.setattr(excel, "MAX_BYTES", 100)
    response = upload(client_for(bnnk_a), collection, b"PK\x03\x04" + b"0" * 1000)
    assert response.status_code == 400
    assert "terlalu besar" in response.content.decode()


def test_cancel_discards_the_upload(client_for, bnnk_a, collection, keluarga):
    client = client_for(bnnk_a)
    upload(client, collection, good_file(collection, keluarga, 2))
    assert len(pending_files()) == 1
    response = client.post(url("excel_cancel", collection), follow=True)
    assert "Impor dibatalkan; tidak ada kuesioner yang dibuat." in messages_of(response)
    assert pending_files() == []
    assert client.get(url("excel_preview", collection)).status_code == 302
    assert not Questionnaire.objects.exists()


def test_a_new_upload_replaces_the_waiting_one(client_for, bnnk_a, collection, keluarga):
    client = client_for(bnnk_a)
    upload(client, collection, good_file(collection, keluarga, 2))
    first = client.session[f"excel_upload_{collection.pk}"]["token"]
    upload(client, collection, good_file(collection, keluarga, 3))
    assert len(pending_files()) == 1
    response = client.post(url("excel_apply", collection), {"unggahan": first}, follow=True)
    assert not Questionnaire.objects.exists()
    assert any("tidak ada yang diimpor lagi" in m for m in messages_of(response))


def test_preview_without_an_upload_goes_to_the_upload_page(client_for, bnnk_a, collection):
    response = client_for(bnnk_a).get(url("excel_preview", collection))
    assert response.status_code == 302 and response["Location"] == url("excel_upload", collection)


# --- closed collections --------------------------------------------------------------------------


def test_after_the_deadline_upload_and_apply_are_refused_with_a_message(
    client_for, bnnk_a, collection, keluarga
):
    client = client_for(bnnk_a)
    upload(client, collection, good_file(collection, keluarga, 2))
    token = client.session[f"excel_upload_{collection.pk}"]["token"]
    type(collection.period).objects.filter(pk=collection.period_id).update(
        collection_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    home = url("collection", collection)
    response = client.post(url("excel_apply", collection), {"unggahan": token})
    assert response.status_code == 302 and response["Location"] == home
    followed = client.get(url("excel_upload", collection), follow=True)
    assert followed.redirect_chain[-1][0] == home
    assert any("telah lewat" in m for m in messages_of(followed))
    response = upload(client, collection, good_file(collection, keluarga, 2))
    assert response.status_code == 302 and response["Location"] == home
    assert not Questionnaire.objects.exists()


def test_a_submitted_collection_refuses_the_import(client_for, bnnk_a, collection, keluarga):
    Collection.objects.filter(pk=collection.pk).update(state="submitted")
    client = client_for(bnnk_a)
    response = upload(client, collection, good_file(collection, keluarga, 2))
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert any("Dikirim" in m for m in messages_of(followed))
    assert pending_files() == [] and not Questionnaire.objects.exists()


# --- the panel on the collection home ------------------------------------------------------------


def test_collection_home_shows_the_panel_to_its_bnnk_only(client_for, bnnk_a, bnnp_a, collection):
    html = client_for(bnnk_a).get(url("collection", collection)).content.decode()
    assert 'data-testid="excel-panel"' in html
    assert url("excel_template", collection, "keluarga") in html
    assert url("excel_template", collection, "instansi") in html
    assert url("excel_upload", collection) in html
    html = client_for(bnnp_a).get(url("collection", collection)).content.decode()
    assert 'data-testid="excel-panel"' not in html


def test_panel_hides_the_upload_button_when_closed(client_for, bnnk_a, collection):
    Collection.objects.filter(pk=collection.pk).update(state="submitted")
    html = client_for(bnnk_a).get(url("collection", collection)).content.decode()
    assert 'data-testid="excel-panel"' in html
    assert url("excel_upload", collection) not in html
