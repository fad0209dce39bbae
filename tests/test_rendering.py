"""The rendered report cache: render what changed, serve cached PDFs by scope, never render on request."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from reports import rendering
from reports.models import RenderedReport
from scoring.models import Score
from tests.scored_data import YEAR, scored_period


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _fake_weasyprint(request, monkeypatch):
    """WeasyPrint takes ~0.5 s a report: only tests asking for `real_pdf` run it (test_pdf.py covers it)."""
    if "real_pdf" not in request.fixturenames:
        monkeypatch.setattr(
            "reports.pdf.render_pdf", lambda template, context: b"%PDF-1.7 test " + template.encode()
        )


@pytest.fixture
def period(regency_a, regency_b, regency_other):
    return scored_period(regency_a, regency_b, regency_other)


SCOPES = {
    ("national", ""),
    ("province", "35"),
    ("province", "15"),
    ("regency", "3573"),
    ("regency", "3507"),
    ("regency", "1504"),
}


def _pdf_url(scope, key=""):
    if key:
        return reverse("reports:report_pdf_scoped", args=[YEAR, scope, key])
    return reverse("reports:report_pdf", args=[YEAR, scope])


@pytest.fixture
def real_pdf():
    """Render with WeasyPrint for real in this test."""


def test_render_period_renders_every_scope_once(period, real_pdf):
    assert rendering.render_period(period.pk) == {"rendered": 6, "unchanged": 0, "failed": 0}
    pdfs = RenderedReport.objects.filter(period=period, kind="pdf")
    assert {(r.scope_kind, r.scope_key) for r in pdfs} == SCOPES
    for report in pdfs:
        assert default_storage.open(report.file.name).read(5) == b"%PDF-"
        assert report.data["inputs_at"]
    figures = RenderedReport.objects.get(period=period, kind="figures", scope_kind="national")
    assert set(figures.data["figures"]) == {"trend", "variables", "categories", "provinces", "map"}
    assert figures.data["figures"]["map"].count("<path d=") == 38  # the national map, every province
    assert figures.data["figures"]["provinces"].startswith("<svg")
    # idempotent: nothing changed, nothing rendered
    assert rendering.render_period(period.pk) == {"rendered": 0, "unchanged": 6, "failed": 0}


def test_a_changed_score_re_renders_only_what_prints_it(period):
    rendering.render_period(period.pk)
    before = {(r.scope_kind, r.scope_key): r.fingerprint for r in RenderedReport.objects.filter(kind="pdf")}
    old_file = RenderedReport.objects.get(kind="pdf", scope_key="3507").file.name
    # Kabupaten Malang (submitted, not ranked) gets a new score: its card and its province change; the
    # national report (ranked kab/kota only) and Jambi's report do not.
    Score.objects.filter(collection__period=period, collection__regency__code="3507", basis="current").update(
        overall=66.0, variables={"KK": 62.0, "KL": 70.0}
    )
    counts = rendering.render_period(period.pk)
    after = {(r.scope_kind, r.scope_key): r.fingerprint for r in RenderedReport.objects.filter(kind="pdf")}
    changed = {scope for scope in SCOPES if before[scope] != after[scope]}
    assert changed == {("regency", "3507"), ("province", "35")}
    assert counts == {"rendered": 2, "unchanged": 4, "failed": 0}
    assert RenderedReport.objects.get(kind="pdf", scope_key="3507").file.name != old_file


def test_force_renders_everything(period):
    rendering.render_period(period.pk)
    assert rendering.render_period(period.pk, force=True)["rendered"] == 6


def test_the_task_runs_the_same(period):
    from reports.render_tasks import render_period_reports, render_scope_report

    assert render_scope_report.delay(period.pk, "regency", "3573").get() == {
        "rendered": 1,
        "unchanged": 0,
        "failed": 0,
    }
    assert render_period_reports.delay(period.pk).get()["unchanged"] == 1


@pytest.mark.parametrize(
    ("who", "scope", "key", "allowed"),
    [
        ("pusat", "nasional", "", True),
        ("bnnp_a", "nasional", "", False),
        ("bnnp_a", "provinsi", "35", True),
        ("bnnp_a", "provinsi", "15", False),
        ("bnnp_other", "provinsi", "35", False),
        ("bnnp_other", "kabkota", "3573", False),
        ("bnnk_a", "provinsi", "35", False),  # the province report shows other kab/kota
        ("bnnk_a", "kabkota", "3573", True),
        ("bnnk_a", "kabkota", "3507", False),
        ("bnnp_a", "kabkota", "3507", True),
        ("pusat", "kabkota", "1504", True),
    ],
)
def test_cached_pdf_served_by_scope(request, client_for, period, who, scope, key, allowed):
    rendering.render_period(period.pk)
    response = client_for(request.getfixturevalue(who)).get(_pdf_url(scope, key))
    if not allowed:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["X-Rendered-At"]


def test_missing_pdf_is_not_rendered_on_request(
    client_for, pusat, period, django_capture_on_commit_callbacks, monkeypatch
):
    asked = []
    monkeypatch.setattr(
        "reports.render_tasks.render_scope_report.apply_async", lambda args, **kw: asked.append(args)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(pusat).get(_pdf_url("kabkota", "3573"))
    assert response.status_code == 202
    assert "sedang dirender di latar belakang" in response.content.decode()
    assert asked == [(period.pk, "regency", "3573")]
    assert not RenderedReport.objects.exists()


def test_bad_scope_is_404(client_for, pusat, period):
    client = client_for(pusat)
    assert client.get(reverse("reports:report_pdf", args=[YEAR, "dunia"])).status_code == 404
    assert client.get(_pdf_url("kabkota", "9999")).status_code == 404
    assert client.get(reverse("reports:report_pdf", args=[1999, "nasional"])).status_code == 404
    assert client.get(_pdf_url("nasional", "35")).status_code == 404


def test_render_again_is_pusat_only_and_post_only(
    client_for, pusat, bnnp_a, period, django_capture_on_commit_callbacks, monkeypatch
):
    asked = []
    monkeypatch.setattr(
        "reports.render_tasks.render_period_reports.delay", lambda *args, **kw: asked.append((args, kw))
    )
    url = reverse("reports:render_again", args=[YEAR])
    assert client_for(bnnp_a).post(url).status_code == 404
    client = client_for(pusat)
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"next": "/laporan/"})
    assert response.status_code == 302 and response["Location"] == "/laporan/"
    assert asked == [((period.pk,), {"force": True})]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("home")


def test_report_status_for_pages(pusat, bnnk_a, period):
    from reports.downloads import report_status

    assert report_status(bnnk_a, period, "national") is None
    status = report_status(pusat, period, "national")
    assert status.rendered_at is None and status.state == "missing"
    rendering.render_period(period.pk)
    status = report_status(pusat, period, "national")
    assert status.url == _pdf_url("nasional") and status.rendered_at is not None and status.state == "ready"


def test_page_partials(rf, pusat, bnnp_a, period):
    from django.template.loader import render_to_string

    from reports.downloads import report_status

    rendering.render_period(period.pk)
    status = report_status(bnnp_a, {"id": period.pk, "year": YEAR}, "province", "35")
    request = rf.get("/laporan/provinsi/35/")
    request.user = bnnp_a
    html = render_to_string("reports/pdf/_report_link.html", {"report": status}, request=request)
    assert _pdf_url("provinsi", "35") in html and "dibuat" in html
    # "Render ulang" is for BNN pusat only
    assert "Render ulang" not in render_to_string(
        "reports/pdf/_render_again.html", {"year": YEAR, "user": bnnp_a}, request=request
    )
    request.user = pusat
    html = render_to_string("reports/pdf/_render_again.html", {"year": YEAR, "user": pusat}, request=request)
    assert "Render ulang" in html and reverse("reports:render_again", args=[YEAR]) in html


def test_a_report_that_can_never_be_rendered_is_404_not_pending(client_for, pusat, period):
    # Kabupaten Sidoarjo is not a participant and has no score in this period.
    response = client_for(pusat).get(_pdf_url("kabkota", "3515"))
    assert response.status_code == 404
    assert not RenderedReport.objects.exists()
