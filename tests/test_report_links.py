"""PDF report links in one click: the state shown before the click, "Siapkan PDF" starting one render, the
status fragment the page polls (pending, ready, failed, stalled), scope refusals, no inline script."""

import datetime
import re

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from reports import rendering, report_links
from reports.models import RenderedReport, RenderRequest
from reports.report_links import ReportLink, decide, poll_seconds
from scoring.models import Score
from tests.scored_data import YEAR, scored_period

HX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/laporan/kabkota/3573/?tahun=2031"}
NOW = timezone.make_aware(datetime.datetime(2031, 6, 1, 12, 0))
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _fake_weasyprint(monkeypatch):
    monkeypatch.setattr("reports.pdf.render_pdf", lambda template, context: b"%PDF-1.7 " + b"x" * 5000)


@pytest.fixture
def period(regency_a, regency_b, regency_other):
    return scored_period(regency_a, regency_b, regency_other)


@pytest.fixture
def sent(monkeypatch):
    """The render tasks sent to the broker (none runs)."""
    calls = []
    monkeypatch.setattr(
        "reports.render_tasks.render_scope_report.apply_async", lambda args, **kw: calls.append(args)
    )
    return calls


@pytest.fixture
def as_committed(monkeypatch):
    """After-commit callbacks run at once, as in a request outside a transaction (the test's own
    transaction would hold them back until the response is made)."""
    monkeypatch.setattr("reports.scheduling.transaction.on_commit", lambda callback: callback())


def _url(name, scope="kabkota", key="3573"):
    suffix = "_scoped" if key else ""
    return reverse(f"reports:{name}{suffix}", args=[YEAR, scope, *([key] if key else [])])


def _state(html: str) -> str:
    return re.search(r'data-testid="report-state" data-state="(\w+)"', html).group(1)


def _html(response) -> str:
    return response.content.decode()


def _ask(period, state, *, ago=MINUTE, reason=""):
    return RenderRequest.objects.create(
        period=period,
        scope_kind="regency",
        scope_key="3573",
        state=state,
        reason=reason,
        requested_at=timezone.now() - ago,
    )


# --- the state, without a database ---------------------------------------------------------------------------


def _request(state, minutes_ago):
    return RenderRequest(state=state, requested_at=NOW - minutes_ago * MINUTE)


@pytest.mark.parametrize(
    ("stored_at", "inputs_at", "asked", "latest", "expected"),
    [
        (None, None, None, NOW, "missing"),
        (None, None, None, None, "no_scores"),
        (NOW, NOW, None, NOW, "ready"),
        (NOW, NOW - MINUTE, None, NOW, "outdated"),
        (NOW, None, None, NOW, "ready"),  # rendered before inputs_at was recorded: nothing to compare
        (None, None, _request("queued", 1), NOW, "pending"),
        (None, None, _request("queued", 6), NOW, "stalled"),  # past POLL_LIMIT (5 minutes)
        (None, None, _request("failed", 1), NOW, "failed"),
        (None, None, _request("done", 1), NOW, "missing"),  # done, but the file went away since
        (NOW - 2 * MINUTE, NOW, _request("queued", 1), NOW, "pending"),  # "Perbarui PDF" running
        (NOW - 2 * MINUTE, NOW, _request("failed", 1), NOW, "failed"),  # and failed: said, old PDF kept
        (NOW, NOW, _request("failed", 1), NOW, "ready"),  # a later render (the period's) answered it
        (NOW, NOW, _request("queued", 1), NOW, "ready"),
    ],
)
def test_decide(stored_at, inputs_at, asked, latest, expected):
    assert decide(stored_at=stored_at, inputs_at=inputs_at, asked=asked, latest=latest, now=NOW) == expected


def test_polling_backs_off_and_is_bounded_by_the_server():
    waits = [poll_seconds(datetime.timedelta(seconds=s)) for s in (0, 20, 39, 60, 120, 240, 299)]
    assert waits == [3, 3, 3, 6, 12, 15, 15]
    # the page polls until report_links.POLL_LIMIT, then the server answers "stalled" (no poller)
    calls, waited = 0, 0
    while waited <= report_links.POLL_LIMIT.total_seconds():
        waited += poll_seconds(datetime.timedelta(seconds=waited))
        calls += 1
    assert calls < 40


@pytest.mark.parametrize(
    ("size", "text"), [(None, ""), (300, "1 KB"), (245_760, "240 KB"), (1_468_006, "1,4 MB")]
)
def test_size_text(size, text):
    link = ReportLink(state="ready", year=YEAR, url="", status_url="", prepare_url="", size=size)
    assert link.size_text == text


# --- before the click ------------------------------------------------------------------------------------------


def _bar(client, path="/laporan/kabkota/3573/"):
    page = _html(client.get(path, {"tahun": YEAR}))
    return page, page.split('data-testid="report-bar"')[1].split("</div>")[0]


def test_a_report_not_made_yet_offers_siapkan_pdf(client_for, bnnk_a, period):
    page, bar = _bar(client_for(bnnk_a))
    assert _state(bar) == "missing"
    assert "Siapkan PDF" in bar and f'action="{_url("report_pdf_prepare")}"' in bar
    assert f'hx-post="{_url("report_pdf_prepare")}"' in bar and "csrfmiddlewaretoken" in bar
    assert 'name="next" value="/laporan/kabkota/3573/?tahun=2031"' in bar
    assert "Unduh PDF" not in bar and "hx-trigger" not in bar  # nothing to poll before the click
    assert "/static/vendor/htmx/htmx.min.js" in page and "/static/js/report_links.js" in page


def test_a_ready_report_says_its_size_and_when_it_was_made(client_for, bnnk_a, period):
    rendering.render_period(period.pk)
    stored = RenderedReport.objects.get(period=period, scope_key="3573", kind="pdf")
    assert stored.data["size"] == 5009
    _page, bar = _bar(client_for(bnnk_a))
    assert _state(bar) == "ready"
    assert f'href="{_url("report_pdf")}"' in bar and "Unduh PDF" in bar
    when = timezone.localtime(stored.rendered_at).strftime("%H:%M")
    assert f"5 KB, dibuat {timezone.localtime(stored.rendered_at).day} " in bar and when in bar
    assert "Siapkan PDF" not in bar and "hx-trigger" not in bar


def test_a_report_whose_scores_changed_since_is_outdated_and_can_be_refreshed(
    client_for, bnnk_a, period, sent
):
    rendering.render_period(period.pk)
    later = timezone.now() + MINUTE
    Score.objects.filter(collection__period=period, collection__regency__code="3573", basis="current").update(
        computed_at=later
    )
    _page, bar = _bar(client_for(bnnk_a))
    assert _state(bar) == "outdated"
    assert "Unduh PDF" in bar and "skor berubah sejak PDF ini dibuat" in bar and "Perbarui PDF" in bar
    # the render finds the same content (only computed_at moved): nothing rendered, no longer outdated
    assert report_links.render_requested(period.pk, "regency", "3573") == {
        "rendered": 0,
        "unchanged": 1,
        "failed": 0,
    }
    assert _state(_bar(client_for(bnnk_a))[1]) == "ready"


def test_a_report_whose_file_is_gone_is_missing_again(client_for, bnnk_a, period):
    rendering.render_period(period.pk)
    default_storage.delete(RenderedReport.objects.get(period=period, scope_key="3573", kind="pdf").file.name)
    assert _state(_bar(client_for(bnnk_a))[1]) == "missing"


# --- the click ---------------------------------------------------------------------------------------------------


def test_the_click_starts_one_render_however_often_it_is_clicked(
    client_for, bnnk_a, bnnp_a, period, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client_for(bnnk_a).post(_url("report_pdf_prepare"), headers=HX)
        again = client_for(bnnk_a).post(_url("report_pdf_prepare"), headers=HX)  # a double click
        other = client_for(bnnp_a).post(_url("report_pdf_prepare"), headers=HX)  # someone else, same report
        download = client_for(bnnp_a).get(_url("report_pdf"))  # the plain link, too
    assert sent == [(period.pk, "regency", "3573")]
    assert RenderRequest.objects.get().state == "queued"
    for response in (first, again, other):
        assert response.status_code == 200 and _state(_html(response)) == "pending"
        assert "Sedang disiapkan…" in _html(response)
    assert download.status_code == 202 and "Sedang disiapkan…" in _html(download)
    # the poller: the status URL after 3 s, swapped into the link
    assert f'hx-get="{_url("report_pdf_status")}"' in _html(first)
    assert 'hx-trigger="load delay:3s"' in _html(first)
    assert 'hx-target="closest [data-report-link]"' in _html(first)
    assert first["Cache-Control"].startswith("max-age=0") and "no-store" in first["Cache-Control"]


def test_a_click_after_the_poll_limit_queues_it_again(
    client_for, bnnk_a, period, sent, django_capture_on_commit_callbacks
):
    _ask(period, "queued", ago=report_links.POLL_LIMIT + MINUTE)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(bnnk_a).post(_url("report_pdf_prepare"), headers=HX)
    assert _state(_html(response)) == "pending" and len(sent) == 1
    asked = RenderRequest.objects.get()
    assert asked.state == "queued" and timezone.now() - asked.requested_at < MINUTE


def test_a_ready_report_is_not_rendered_again_by_a_click(
    client_for, bnnk_a, period, sent, django_capture_on_commit_callbacks
):
    rendering.render_period(period.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(bnnk_a).post(_url("report_pdf_prepare"), headers=HX)
    assert _state(_html(response)) == "ready" and sent == [] and not RenderRequest.objects.exists()


def test_eager_click_is_ready_at_once(client_for, bnnk_a, period, as_committed):
    """Development (tasks run in-process): the render runs inside the click's request."""
    client = client_for(bnnk_a)
    html = _html(client.post(_url("report_pdf_prepare"), headers=HX))
    assert RenderRequest.objects.get().state == "done"
    assert _state(html) == "ready" and f'href="{_url("report_pdf")}"' in html and "hx-get" not in html
    response = client.get(_url("report_pdf"))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")


def test_eager_plain_link_downloads_at_once(client_for, bnnk_a, period, as_committed):
    response = client_for(bnnk_a).get(_url("report_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_without_javascript_the_click_comes_back_to_the_page(client_for, bnnk_a, period, sent):
    client = client_for(bnnk_a)
    response = client.post(_url("report_pdf_prepare"), {"next": "/laporan/kabkota/3573/?tahun=2031"})
    assert response.status_code == 302 and response["Location"] == "/laporan/kabkota/3573/?tahun=2031"
    # there the link says it is being prepared, with a word for a page that does not poll
    _page, bar = _bar(client)
    assert _state(bar) == "pending" and "Muat ulang halaman ini sebentar lagi." in bar
    # another site as "next" is ignored: back to the report's own page
    RenderRequest.objects.all().delete()
    response = client.post(_url("report_pdf_prepare"), {"next": "https://elsewhere.example/"})
    assert response["Location"] == "/laporan/kabkota/3573/?tahun=2031"
    response = client_for(bnnk_a).post(_url("report_pdf_prepare", "nasional", ""), {})
    assert response.status_code == 404  # bnnk_a may not see the national report


def test_a_broker_that_is_down_never_500s(client_for, bnnk_a, period, monkeypatch, as_committed):
    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is away")

    monkeypatch.setattr("reports.render_tasks.render_scope_report.apply_async", refuse)
    client = client_for(bnnk_a)
    html = _html(client.post(_url("report_pdf_prepare"), headers=HX))
    asked = RenderRequest.objects.get()
    assert (asked.state, asked.reason) == ("failed", "broker")
    assert _state(html) == "failed" and "layanan latar belakang sedang tidak tersedia" in html
    assert "Coba lagi" in html and "hx-get" not in html  # not polled forever
    assert _state(_html(client.get(_url("report_pdf_status"), headers=HX))) == "failed"
    # the plain download link too: no 500, the page says it failed and offers to try again
    response = client.get(_url("report_pdf"))
    assert response.status_code == 200 and "Laporan PDF periode 2031" in _html(response)
    assert _state(_html(response)) == "failed" and "Coba lagi" in _html(response)


# --- the render task ------------------------------------------------------------------------------------------


def test_a_render_that_fails_is_reported_not_polled(client_for, bnnk_a, period, monkeypatch):
    _ask(period, "queued")

    def broken(template, context):
        raise ValueError("a template error")

    monkeypatch.setattr("reports.pdf.render_pdf", broken)
    assert report_links.render_requested(period.pk, "regency", "3573")["failed"] == 1
    asked = RenderRequest.objects.get()
    assert (asked.state, asked.reason) == ("failed", "render") and asked.finished_at
    html = _html(client_for(bnnk_a).get(_url("report_pdf_status"), headers=HX))
    assert _state(html) == "failed" and "PDF gagal dibuat." in html and "hx-get" not in html
    assert f'hx-post="{_url("report_pdf_prepare")}"' in html  # "Coba lagi"


def test_a_period_that_cannot_be_read_is_a_failed_render(period, monkeypatch):
    _ask(period, "queued")

    def unreadable(period):
        raise RuntimeError("database gone")

    monkeypatch.setattr("reports.rendering.load_period", unreadable)
    assert report_links.render_requested(period.pk, "regency", "3573") == {
        "rendered": 0,
        "unchanged": 0,
        "failed": 1,
    }
    assert RenderRequest.objects.get().state == "failed"


def test_the_task_records_done(period):
    from reports.render_tasks import render_scope_report

    _ask(period, "queued")
    assert render_scope_report.delay(period.pk, "regency", "3573").get()["rendered"] == 1
    assert RenderRequest.objects.get().state == "done"


# --- the status endpoint -------------------------------------------------------------------------------------


def test_status_pending_then_ready(client_for, bnnk_a, period):
    client = client_for(bnnk_a)
    _ask(period, "queued", ago=datetime.timedelta(seconds=90))
    html = _html(client.get(_url("report_pdf_status"), headers=HX))
    assert _state(html) == "pending" and 'hx-trigger="load delay:9s"' in html  # backing off
    # the forms in the fragment come back to the page that polls (HX-Current-URL), not to the status URL
    report_links.render_requested(period.pk, "regency", "3573")
    html = _html(client.get(_url("report_pdf_status"), headers=HX))
    assert _state(html) == "ready" and "Unduh PDF" in html and "hx-get" not in html


def test_status_stalled_stops_polling_and_offers_a_retry(client_for, bnnk_a, period):
    _ask(period, "queued", ago=report_links.POLL_LIMIT + MINUTE)
    html = _html(client_for(bnnk_a).get(_url("report_pdf_status"), headers=HX))
    assert _state(html) == "stalled" and "Belum selesai setelah 5 menit." in html
    assert "hx-get" not in html and "Coba lagi" in html
    assert 'name="next" value="/laporan/kabkota/3573/?tahun=2031"' in html


def test_the_fragment_forms_come_back_to_our_own_page_only(client_for, bnnk_a, period):
    client = client_for(bnnk_a)
    own = 'name="next" value="/laporan/kabkota/3573/?tahun=2031"'
    elsewhere = {"HX-Request": "true", "HX-Current-URL": "https://elsewhere.example/x/?y=1"}
    for headers in (HX, elsewhere, {}):  # the page htmx asked from, a foreign one, none (opened directly)
        assert own in _html(client.get(_url("report_pdf_status"), headers=headers)), headers
    page = {"HX-Request": "true", "HX-Current-URL": "http://testserver/laporan/2031/pdf/kabkota/3573/"}
    html = _html(client.get(_url("report_pdf_status"), headers=page))  # the plain link's waiting page
    assert 'name="next" value="/laporan/2031/pdf/kabkota/3573/"' in html


def test_status_of_national_and_province_reports(client_for, pusat, bnnp_a, period):
    assert _state(_html(client_for(pusat).get(_url("report_pdf_status", "nasional", "")))) == "missing"
    assert _state(_html(client_for(bnnp_a).get(_url("report_pdf_status", "provinsi", "35")))) == "missing"
    # a kab/kota that takes part but has no score: nothing to offer
    html = _html(client_for(pusat).get(_url("report_pdf_status", "kabkota", "3507")))
    assert _state(html) == "missing"
    Score.objects.filter(collection__regency__code="3507").delete()
    html = _html(client_for(pusat).get(_url("report_pdf_status", "kabkota", "3507")))
    assert _state(html) == "no_scores" and "form" not in html


@pytest.mark.parametrize(
    ("who", "scope", "key", "allowed"),
    [
        ("bnnk_a", "kabkota", "3573", True),
        ("bnnk_b", "kabkota", "3573", False),
        ("bnnk_a", "provinsi", "35", False),
        ("bnnp_a", "provinsi", "35", True),
        ("bnnp_other", "provinsi", "35", False),
        ("bnnp_other", "kabkota", "3573", False),
        ("bnnp_a", "nasional", "", False),
        ("pusat", "nasional", "", True),
    ],
)
def test_status_and_click_are_refused_as_the_download_is(
    request, client_for, period, sent, who, scope, key, allowed
):
    client = client_for(request.getfixturevalue(who))
    expected = 200 if allowed else 404
    assert client.get(_url("report_pdf_status", scope, key), headers=HX).status_code == expected
    assert client.post(_url("report_pdf_prepare", scope, key), headers=HX).status_code == expected
    assert client.get(_url("report_pdf", scope, key)).status_code == (202 if allowed else 404)
    assert RenderRequest.objects.exists() == allowed


def test_status_and_click_need_a_login_and_the_right_method(client, client_for, pusat, period):
    for url in (_url("report_pdf_status"), _url("report_pdf_prepare")):
        response = client.get(url) if "status" in url else client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    pusat_client = client_for(pusat)
    assert pusat_client.get(_url("report_pdf_prepare")).status_code == 405
    assert pusat_client.post(_url("report_pdf_status")).status_code == 405
    assert pusat_client.get(reverse("reports:report_pdf_status", args=[YEAR, "dunia"])).status_code == 404
    assert pusat_client.get(_url("report_pdf_status", "nasional", "35")).status_code == 404
    assert pusat_client.get(reverse("reports:report_pdf_status", args=[1999, "nasional"])).status_code == 404


def test_status_query_count(client_for, bnnk_a, bnnp_a, period, django_assert_num_queries):
    _ask(period, "queued")
    client = client_for(bnnk_a)
    client.get(_url("report_pdf_status"))  # the session is cached after the first request
    # session user, period, scope (one for a kab/kota), stored PDF, the click, latest score
    with django_assert_num_queries(6):
        assert client.get(_url("report_pdf_status"), headers=HX).status_code == 200
    client = client_for(bnnp_a)
    client.get(_url("report_pdf_status", "provinsi", "35"))
    with django_assert_num_queries(7):  # a province report: two for the scope (every kab/kota visible)
        assert client.get(_url("report_pdf_status", "provinsi", "35"), headers=HX).status_code == 200


# --- CSP: no inline script or style ---------------------------------------------------------------------------


def test_no_inline_script_or_style_in_any_state(client_for, bnnk_a, period):
    client = client_for(bnnk_a)
    pages = [_html(client.get(_url("report_pdf_status")))]
    for state, reason in (("queued", ""), ("failed", "render"), ("failed", "broker")):
        RenderRequest.objects.all().delete()
        _ask(period, state, reason=reason)
        pages.append(_html(client.get(_url("report_pdf_status"), headers=HX)))
        pages.append(_bar(client)[0])
    pages.append(_html(client.get(_url("report_pdf"))))  # the 202 page of the plain link
    report_links.render_requested(period.pk, "regency", "3573")
    pages.append(_bar(client)[0])
    for html in pages:
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert not re.search(r"<[^>]+\sstyle=", html)
        assert not re.search(r"\shx-(on|vals|vars)", html)  # htmx runs with allowEval off


def _province_pdf_links(client) -> dict[str, str]:
    """{kab/kota code: the state its row's PDF link shows} on the Jawa Timur dashboard."""
    html = _html(client.get(reverse("reports:province", args=["35"]) + f"?tahun={YEAR}"))
    found = re.findall(
        r'href="[^"]*/kabkota/(\d{4})/" data-testid="regency-pdf" data-pdf-state="(\w+)"', html
    )
    return dict(found)


def test_province_rows_say_before_the_click_which_pdf_is_ready(client_for, bnnp_a, period):
    client = client_for(bnnp_a)
    assert _province_pdf_links(client) == {"3573": "missing", "3507": "missing"}
    rendering.render_period(period.pk)
    default_storage.delete(RenderedReport.objects.get(period=period, scope_key="3507", kind="pdf").file.name)
    assert _province_pdf_links(client) == {"3573": "ready", "3507": "missing"}
    html = _html(client.get(reverse("reports:province", args=["35"]) + f"?tahun={YEAR}"))
    assert "Siapkan rapor PDF Kabupaten Malang" in html and "Unduh rapor PDF Kota Malang" in html
