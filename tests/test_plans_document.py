"""The action plan as documents for the Tim Terpadu P4GN (reports.plan_document, reports.plan_docx) and its
signed copy (plans.signing, plans.signed): the Celery render makes a real PDF (read back with pdftotext)
and a DOCX (read back with python-docx); the link's states, outdated once an item changes; a double click
renders once; a broker that is down is said, never a 500; the signed upload keeps the earlier copy on a
refusal, writes history on a replacement, and is read back by whoever may see the kab/kota."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess

import docx
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Collection
from instruments.models import Indicator
from plans import selectors, services
from plans.models import ActionItem, ActionPlan, Agency
from reports import plan_document, plan_docx, report_links
from reports.models import RenderedReport, RenderRequest
from tests.factories import make_collection, make_period, make_score
from tests.fieldkit_support import JPEG

pytestmark = pytest.mark.django_db

YEAR = 2026
HX = {"HX-Request": "true"}
PDFTOTEXT = shutil.which("pdftotext")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def plan(regency_a, bnnk_a):
    period = make_period(regencies=[regency_a], year=YEAR)
    collection = make_collection(regency_a, period)
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.VERIFIED)
    collection.refresh_from_db()
    make_score(collection, 61.5, {"KK": 70.0, "KL": 53.0}, indicators={"KK1": 80.0, "KK2": 30.0, "KL1": 55.0})
    found = services.plan_create(user=bnnk_a, collection=collection, title="Rencana aksi P4GN 2026")
    services.item_add(user=bnnk_a, plan=found, data=_item(collection, "Pelatihan konselor keluarga"))
    return found


def _item(collection, activity, **over):
    values = {
        "indicators": [Indicator.objects.get(variable__instrument=collection.period.instrument, code="KK2")],
        "strategy": "pengembangan_kapasitas",
        "agency": Agency.objects.get(regency=collection.regency, name="Dinas Pendidikan"),
        "activity": activity,
        "expected_output": "40 konselor terlatih",
        "target_date": datetime.date(YEAR + 1, 5, 31),
        "budget": 25000000,
        "budget_source": "APBD",
    }
    values.update(over)
    return services.ItemData(**values)


def _url(name, key="3573"):
    return reverse(f"reports:{name}_scoped", args=[YEAR, "rencana-aksi", key])


def _state(html: str) -> str:
    return re.search(r'data-testid="report-state" data-state="(\w+)"', html).group(1)


def _plan_page(regency, tail=""):
    return f"/rencana-aksi/{YEAR}/{regency.code}/{tail}"


# --- the documents themselves -------------------------------------------------------------------------------


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils not installed")
def test_the_render_makes_a_real_pdf_and_docx(plan):
    assert plan_document.render_plan(plan.collection.period_id, "3573") is True
    stored = RenderedReport.objects.get(scope_kind="plan", scope_key="3573", kind="pdf")
    with default_storage.open(stored.file.name, "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-") and stored.data["size"] == len(content)
    text = subprocess.run(
        [PDFTOTEXT, "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "RENCANA AKSI P4GN KOTA MALANG TAHUN 2026" in flat
    assert "Pelatihan konselor keluarga" in flat and "Pendidikan" in flat  # narrow columns wrap
    assert "Rp25.000.000" in flat and "61,50" in flat and "Tanggap" in flat
    assert "Ketua Tim Terpadu P4GN Kota Malang" in flat and "Kepala BNN Kota Malang" in flat
    assert "Wali Kota / Sekretaris Daerah" in flat and "Ditetapkan di" in flat

    word = RenderedReport.objects.get(scope_kind="plan", scope_key="3573", kind="docx")
    with default_storage.open(word.file.name, "rb") as handle:
        document = docx.Document(io.BytesIO(handle.read()))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "RENCANA AKSI P4GN KOTA MALANG TAHUN 2026" in paragraphs
    items, signatures = document.tables
    assert [c.text for c in items.rows[0].cells][:5] == [
        "No",
        "Indikator sasaran",
        "Strategi",
        "Instansi/OPD",
        "Kegiatan",
    ]
    row = [c.text for c in items.rows[1].cells]
    assert row[0] == "1" and row[1].startswith("KK2 ") and row[4] == "Pelatihan konselor keluarga"
    assert row[3] == "Dinas Pendidikan" and row[8] == "Direncanakan" and "APBD" in row[7]
    assert "Kepala BNN Kota Malang" in signatures.rows[0].cells[1].text
    # unchanged: not rendered again
    assert plan_document.render_plan(plan.collection.period_id, "3573") is False


def test_a_kab_kota_without_a_plan_cannot_be_rendered(plan, regency_b):
    with pytest.raises(LookupError):
        plan_document.render_plan(plan.collection.period_id, regency_b.code)


# --- the link's states ------------------------------------------------------------------------------------


@pytest.fixture
def fake_pdf(monkeypatch):
    monkeypatch.setattr("reports.pdf.render_pdf", lambda template, context: b"%PDF-1.7 " + b"x" * 3000)


def test_missing_then_ready_then_outdated_after_an_item_changes(client_for, bnnk_a, plan, fake_pdf):
    client = client_for(bnnk_a)
    page = client.get(_plan_page(plan.collection.regency)).content.decode()
    assert 'data-testid="plan-documents"' in page and _state(page) == "missing" and "Siapkan PDF" in page

    plan_document.render_plan(plan.collection.period_id, "3573")
    page = client.get(_plan_page(plan.collection.regency)).content.decode()
    assert _state(page) == "ready" and "3 KB" in page
    assert f'href="{reverse("reports:plan_docx", args=[YEAR, "3573"])}"' in page

    item = plan.items.get()
    services.item_set_status(user=bnnk_a, item=item, status="berjalan")
    html = client.get(_url("report_pdf_status")).content.decode()
    assert _state(html) == "outdated" and "rencana aksi berubah sejak PDF ini dibuat" in html

    plan_document.render_plan(plan.collection.period_id, "3573")
    assert _state(client.get(_url("report_pdf_status")).content.decode()) == "ready"
    services.item_drop(user=bnnk_a, item=item)  # a dropped item counts as a change too
    assert _state(client.get(_url("report_pdf_status")).content.decode()) == "outdated"


def test_the_signed_upload_does_not_make_the_pdf_outdated(client_for, bnnk_a, plan, fake_pdf):
    plan_document.render_plan(plan.collection.period_id, "3573")
    client = client_for(bnnk_a)
    client.post(_plan_page(plan.collection.regency, "bertanda-tangan/"), {"file": _signed("ttd.pdf")})
    assert _state(client.get(_url("report_pdf_status")).content.decode()) == "ready"


def test_double_click_renders_once(
    client_for, bnnk_a, bnnp_a, plan, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        "reports.render_tasks.render_scope_report.apply_async", lambda args, **kw: sent.append(args)
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = client_for(bnnk_a).post(_url("report_pdf_prepare"), headers=HX)
        again = client_for(bnnk_a).post(_url("report_pdf_prepare"), headers=HX)
        other = client_for(bnnp_a).post(_url("report_pdf_prepare"), headers=HX)
    assert sent == [(plan.collection.period_id, "plan", "3573")]
    for response in (first, again, other):
        assert _state(response.content.decode()) == "pending"


def test_the_click_with_eager_tasks_renders_both_documents(client_for, bnnk_a, plan, fake_pdf, monkeypatch):
    monkeypatch.setattr("reports.scheduling.transaction.on_commit", lambda callback: callback())
    client = client_for(bnnk_a)
    html = client.post(_url("report_pdf_prepare"), headers=HX).content.decode()
    assert RenderRequest.objects.get().state == "done" and _state(html) == "ready"
    assert 'data-testid="report-docx"' in html
    pdf = client.get(_url("report_pdf"))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")
    word = client.get(reverse("reports:plan_docx", args=[YEAR, "3573"]))
    assert word.status_code == 200 and word["Content-Type"] == plan_document.DOCX_TYPE
    docx.Document(io.BytesIO(b"".join(word.streaming_content)))  # opens


def test_a_broker_that_is_down_is_said_not_a_500(client_for, bnnk_a, plan, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is away")

    monkeypatch.setattr("reports.render_tasks.render_scope_report.apply_async", refuse)
    monkeypatch.setattr("reports.scheduling.transaction.on_commit", lambda callback: callback())
    client = client_for(bnnk_a)
    response = client.post(_url("report_pdf_prepare"), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and _state(html) == "failed"
    assert "layanan latar belakang sedang tidak tersedia" in html and "Coba lagi" in html
    asked = RenderRequest.objects.get()
    assert (asked.scope_kind, asked.state, asked.reason) == ("plan", "failed", "broker")
    assert _state(client.get(_plan_page(plan.collection.regency)).content.decode()) == "failed"


def test_a_render_that_fails_is_recorded(plan, monkeypatch):
    report_links.claim(plan.collection.period_id, "plan", "3573")

    def broken(template, context):
        raise ValueError("a template error")

    monkeypatch.setattr("reports.pdf.render_pdf", broken)
    assert report_links.render_requested(plan.collection.period_id, "plan", "3573")["failed"] == 1
    assert RenderRequest.objects.get().reason == "render"


def test_the_docx_before_it_is_made_is_a_404_with_the_reason(client_for, bnnk_a, plan):
    response = client_for(bnnk_a).get(reverse("reports:plan_docx", args=[YEAR, "3573"]))
    assert response.status_code == 404


def test_documents_are_scoped_like_the_plan(client_for, bnnk_b, bnnp_other, pusat, bnnp_a, plan, fake_pdf):
    plan_document.render_plan(plan.collection.period_id, "3573")
    for user in (bnnk_b, bnnp_other):
        client = client_for(user)
        assert client.get(_url("report_pdf")).status_code == 404
        assert client.get(_url("report_pdf_status")).status_code == 404
        assert client.get(reverse("reports:plan_docx", args=[YEAR, "3573"])).status_code == 404
    for user in (pusat, bnnp_a):
        assert client_for(user).get(_url("report_pdf")).status_code == 200


def test_a_kab_kota_without_a_plan_says_so(client_for, pusat, plan, regency_b):
    response = client_for(pusat).get(_url("report_pdf", regency_b.code))
    assert response.status_code == 404


def test_plan_changed_at_counts_item_edits_and_drops(plan, bnnk_a):
    period_id = plan.collection.period_id
    before = selectors.plan_changed_at(period_id, "3573")
    extra = services.item_add(user=bnnk_a, plan=plan, data=_item(plan.collection, "Sosialisasi"))
    added = selectors.plan_changed_at(period_id, "3573")
    services.item_drop(user=bnnk_a, item=extra)
    dropped = selectors.plan_changed_at(period_id, "3573")
    assert before < added < dropped
    agency = Agency.objects.get(regency=plan.collection.regency, name="Dinas Pendidikan")
    services.agency_rename(user=bnnk_a, agency=agency, name="Dinas Pendidikan dan Kebudayaan")
    assert selectors.plan_changed_at(period_id, "3573") > dropped  # the name the PDF prints
    assert selectors.plan_changed_at(period_id, "3507") is None


def test_the_docx_holds_every_item_and_the_budget_total(plan, bnnk_a):
    for n in range(3):
        services.item_add(
            user=bnnk_a,
            plan=plan,
            data=_item(plan.collection, f"Kegiatan {n}", budget=None, budget_source=""),
        )
    items = selectors.plan_items(plan)
    context = plan_document.plan_context(plan.collection, plan, items, datetime.date(YEAR, 12, 1))
    document = docx.Document(io.BytesIO(plan_docx.build(context)))
    table = document.tables[0]
    assert len(table.rows) == 1 + 4
    assert sorted(row.cells[4].text for row in table.rows[1:]) == sorted(i.activity for i in items)
    assert [row.cells[7].text for row in table.rows[1:]].count("–") == 3  # no budget: a dash
    assert "Jumlah anggaran: Rp25.000.000" in "\n".join(p.text for p in document.paragraphs)
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape


# --- the signed copy ----------------------------------------------------------------------------------------


def _signed(name="rencana-aksi-ttd.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_bnnk_uploads_the_signed_copy_and_everyone_in_scope_reads_it(
    client_for, bnnk_a, bnnp_a, pusat, bnnk_b, bnnp_other, plan
):
    client = client_for(bnnk_a)
    response = client.post(_plan_page(plan.collection.regency, "bertanda-tangan/"), {"file": _signed()})
    assert response.status_code == 302 and response["Location"].endswith("#bertanda-tangan")
    plan.refresh_from_db()
    assert plan.signed_name == "rencana-aksi-ttd.pdf" and plan.signed_by == bnnk_a and plan.signed_at
    page = client.get(_plan_page(plan.collection.regency)).content.decode()
    assert "Rencana aksi bertanda tangan: diunggah" in page and 'data-testid="signed-download"' in page
    for user in (bnnk_a, bnnp_a, pusat):
        got = client_for(user).get(_plan_page(plan.collection.regency, "bertanda-tangan/berkas/"))
        assert got.status_code == 200 and b"".join(got.streaming_content) == PDF_BYTES
        assert (
            got["Content-Disposition"].startswith("attachment")
            and got["Cache-Control"] == "private, no-store"
        )
    for user in (bnnk_b, bnnp_other):
        got = client_for(user).get(_plan_page(plan.collection.regency, "bertanda-tangan/berkas/"))
        assert got.status_code == 404


def test_a_bad_file_is_refused_in_indonesian_and_the_earlier_copy_kept(client_for, bnnk_a, plan):
    client = client_for(bnnk_a)
    client.post(_plan_page(plan.collection.regency, "bertanda-tangan/"), {"file": _signed()})
    plan.refresh_from_db()
    earlier = plan.signed_file.name
    page = client.post(
        _plan_page(plan.collection.regency, "bertanda-tangan/"),
        {"file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200)},
        follow=True,
    ).content.decode()
    assert "Jenis berkas tidak diizinkan" in page
    word = io.BytesIO()
    docx.Document().save(word)
    page = client.post(
        _plan_page(plan.collection.regency, "bertanda-tangan/"),
        {"file": SimpleUploadedFile("draf.docx", word.getvalue())},
        follow=True,
    ).content.decode()
    assert "Unggah hasil pindaian rencana aksi bertanda tangan sebagai PDF, JPEG, PNG." in page
    page = client.post(_plan_page(plan.collection.regency, "bertanda-tangan/"), {}, follow=True)
    assert "Pilih berkas yang akan diunggah." in page.content.decode()
    plan.refresh_from_db()
    assert plan.signed_file.name == earlier and default_storage.exists(earlier)


def test_replacing_keeps_the_old_copy_in_history(client_for, bnnk_a, plan):
    client = client_for(bnnk_a)
    client.post(_plan_page(plan.collection.regency, "bertanda-tangan/"), {"file": _signed()})
    plan.refresh_from_db()
    first = plan.signed_file.name
    client.post(_plan_page(plan.collection.regency, "bertanda-tangan/"), {"file": _signed("scan.jpg", JPEG)})
    plan.refresh_from_db()
    assert (
        plan.signed_name == "scan.jpg" and plan.signed_type == "image/jpeg" and plan.signed_file.name != first
    )
    names = list(plan.history.order_by("history_date").values_list("signed_file", "history_user__username"))
    assert names[-2:] == [(first, "bnnk_a"), (plan.signed_file.name, "bnnk_a")]
    assert default_storage.exists(first)  # the earlier scan stays readable from the history


def test_only_the_bnnk_uploads(client_for, bnnp_a, pusat, bnnk_b, plan):
    for user, status in ((bnnp_a, 302), (pusat, 302), (bnnk_b, 404)):
        response = client_for(user).post(
            _plan_page(plan.collection.regency, "bertanda-tangan/"), {"file": _signed()}
        )
        assert response.status_code == status
    plan.refresh_from_db()
    assert not plan.signed_file
    page = client_for(bnnp_a).get(_plan_page(plan.collection.regency)).content.decode()
    assert 'data-testid="signed-form"' not in page and "Rencana aksi bertanda tangan belum diunggah." in page


def test_province_and_national_pages_count_signed_plans(client_for, bnnk_a, bnnp_a, pusat, plan):
    client_for(bnnk_a).post(_plan_page(plan.collection.regency, "bertanda-tangan/"), {"file": _signed()})
    province = client_for(bnnp_a).get("/rencana-aksi/provinsi/35/").content.decode()
    assert re.search(r'data-testid="signed-count">1 bertanda tangan<', province)
    national = client_for(pusat).get(f"/rencana-aksi/nasional/?tahun={YEAR}").content.decode()
    assert re.search(r'data-testid="coverage-signed">1<', national)
    assert "1 rencana aksi bertanda tangan telah diunggah." in national


def test_the_plan_page_query_count_stays_bounded(client_for, bnnk_a, plan, django_assert_max_num_queries):
    client = client_for(bnnk_a)
    for n in range(5):
        services.item_add(user=bnnk_a, plan=plan, data=_item(plan.collection, f"Kegiatan {n}"))
    with django_assert_max_num_queries(60):
        assert client.get(_plan_page(plan.collection.regency)).status_code == 200
    assert ActionPlan.objects.count() == 1 and ActionItem.objects.count() == 6
