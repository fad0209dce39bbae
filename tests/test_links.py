"""Respondent links: creation, the public page, autosave and completion, and every way a link is refused."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from assessments import services
from assessments.autosave import writes
from assessments.links import services as links
from assessments.models import Questionnaire, RespondentLink
from kotan.lib.service_errors import NotAllowed
from tests.factories import group, make_collection, make_period, question

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection(regency_a, regency_b):
    period = make_period(regencies=[regency_a, regency_b], year=2026)
    return make_collection(regency_a, period)


@pytest.fixture
def inst(collection):
    return collection.period.instrument


@pytest.fixture
def link(collection, inst, bnnk_a):
    return links.link_create(collection=collection, group=group(inst, "keluarga"), user=bnnk_a, label="RT 01")


def page_url(link):
    return f"/r/{link.token}/"


def save(client, link, q, value, base=0):
    return client.post(f"/r/{link.token}/jawaban/", {"question": q.pk, "value": value, "base_version": base})


# --- service -------------------------------------------------------------------------------------


def test_link_create_makes_a_link_questionnaire_expiring_at_end_of_deadline_day(collection, link, bnnk_a):
    qn = link.questionnaire
    assert qn.method == Questionnaire.Method.LINK
    assert qn.collection == collection and qn.entered_by == bnnk_a and qn.label == "RT 01"
    assert len(link.token) >= 40
    local = timezone.localtime(link.expires_at, links.JAKARTA)
    assert local.date() == collection.period.collection_deadline
    assert (local.hour, local.minute) == (23, 59)
    assert links.link_state(link) == links.NOT_OPENED


def test_link_create_refused_for_other_kabkota_and_bnnp(collection, inst, bnnk_b, bnnp_a):
    for user in (bnnk_b, bnnp_a):
        with pytest.raises(NotAllowed):
            links.link_create(collection=collection, group=group(inst, "keluarga"), user=user)
    assert not RespondentLink.objects.exists()
    assert not Questionnaire.objects.exists()


def test_expiry_follows_an_extended_deadline(collection):
    collection.deadline_extended_to = collection.period.collection_deadline + datetime.timedelta(days=5)
    assert (
        timezone.localtime(links.link_expiry(collection), links.JAKARTA).date()
        == collection.deadline_extended_to
    )


def test_a_link_of_another_questionnaire_cannot_save_here(collection, inst, bnnk_a, regency_b, bnnk_b, link):
    other_collection = make_collection(regency_b, collection.period)
    other_link = links.link_create(collection=other_collection, group=group(inst, "keluarga"), user=bnnk_b)
    with pytest.raises(NotAllowed):
        writes.questionnaire_save_answer(
            questionnaire=link.questionnaire,
            question=question(inst, "q_likert"),
            raw_value="4",
            base_version=0,
            link=other_link,
        )
    with pytest.raises(NotAllowed):
        services.questionnaire_complete(questionnaire=link.questionnaire, link=other_link)
    assert not link.questionnaire.answers.exists()


# --- BNNK pages ----------------------------------------------------------------------------------


def test_bnnk_creates_a_link_and_sees_url_and_qr(client_for, bnnk_a, collection, inst):
    client = client_for(bnnk_a)
    resp = client.post(
        "/survei/periode/2026/3573/tautan/baru/", {"group": group(inst, "instansi").pk, "label": "Polres"}
    )
    link = RespondentLink.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/survei/tautan/{link.pk}/"
    page = client.get(resp["Location"])
    html = page.content.decode()
    assert f"http://testserver/r/{link.token}/" in html
    assert "<svg" in html and "<path" in html  # inline QR, no image from a network service
    assert "belum dibuka" in html
    assert link.questionnaire.group.code == "instansi"


def test_create_link_with_a_group_of_another_instrument_is_refused(client_for, bnnk_a, collection):
    from tests.factories import make_instrument

    foreign_group = group(make_instrument(), "keluarga")
    resp = client_for(bnnk_a).post(
        "/survei/periode/2026/3573/tautan/baru/", {"group": foreign_group.pk}, follow=True
    )
    assert resp.status_code == 200
    assert "Kelompok responden tidak dikenal" in resp.content.decode()
    assert not RespondentLink.objects.exists()


def test_link_detail_is_only_for_the_bnnk_of_the_kabkota(client, client_for, link, bnnk_b, bnnp_a, pusat):
    for user in (bnnk_b, bnnp_a, pusat):
        assert client_for(user).get(f"/survei/tautan/{link.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/survei/tautan/{link.pk}/").status_code == 302


def test_panel_on_collection_home_shows_states_and_bnnp_sees_no_tokens(
    client_for, bnnk_a, bnnp_a, collection, inst, link
):
    used = links.link_create(collection=collection, group=group(inst, "keluarga"), user=bnnk_a)
    RespondentLink.objects.filter(pk=used.pk).update(used_at=timezone.now())
    expired = links.link_create(collection=collection, group=group(inst, "keluarga"), user=bnnk_a)
    RespondentLink.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    html = client_for(bnnk_a).get("/survei/periode/2026/3573/").content.decode()
    assert "Buat tautan responden" in html
    for label in ("belum dibuka", "selesai", "kedaluwarsa"):
        assert label in html
    assert f"/survei/tautan/{link.pk}/" in html
    html = client_for(bnnp_a).get("/survei/periode/2026/3573/").content.decode()
    assert "Tautan responden" in html and "kedaluwarsa" in html
    assert "Buat tautan responden" not in html
    assert f"/survei/tautan/{link.pk}/" not in html and link.token not in html


def test_links_panel_queries_do_not_grow_with_links(client_for, bnnk_a, collection, inst, link):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(bnnk_a)
    with CaptureQueriesContext(connection) as few:
        client.get("/survei/periode/2026/3573/")
    for _ in range(12):
        links.link_create(collection=collection, group=group(inst, "keluarga"), user=bnnk_a)
    with CaptureQueriesContext(connection) as many:
        client.get("/survei/periode/2026/3573/")
    assert len(many) == len(few)


# --- the respondent ------------------------------------------------------------------------------


def test_respondent_fills_and_completes(client, collection, inst, link):
    client = Client(enforce_csrf_checks=True)
    resp = client.get(page_url(link))
    assert resp.status_code == 200
    assert resp["Referrer-Policy"] == "no-referrer"
    assert "noindex" in resp["X-Robots-Tag"]
    html = resp.content.decode()
    # Only the questions asked of the group (keluarga): q_likert, q_yesno, q_choice, not instansi's.
    assert "Pertanyaan q_likert?" in html and "Pertanyaan q_yesno?" in html
    assert "Pertanyaan q_number?" not in html and "Pertanyaan q_likert2?" not in html
    link.refresh_from_db()
    assert link.opened_at is not None and links.link_state(link) == links.OPENED
    token = client.cookies["csrftoken"].value
    headers = {"HTTP_X_CSRFTOKEN": token}
    url = f"/r/{link.token}/jawaban/"
    r = client.post(
        url, {"question": question(inst, "q_likert").pk, "value": "4", "base_version": 0}, **headers
    )
    assert r.status_code == 200 and r.json()["ok"] and r.json()["version"] == 1
    assert r["Referrer-Policy"] == "no-referrer"
    r = client.post(
        url, {"question": question(inst, "q_likert").pk, "value": "5", "base_version": 1}, **headers
    )
    assert r.json()["version"] == 2
    # Completing too early lists what is missing and keeps everything.
    r = client.post(f"/r/{link.token}/kirim/", {"csrfmiddlewaretoken": token})
    assert r.status_code == 400 and "q_yesno" in r.content.decode()
    client.post(url, {"question": question(inst, "q_yesno").pk, "value": "1", "base_version": 0}, **headers)
    r = client.post(f"/r/{link.token}/kirim/", {"csrfmiddlewaretoken": token})
    assert r.status_code == 200
    assert "Terima kasih, kuesioner sudah terkirim" in r.content.decode()
    link.refresh_from_db()
    qn = link.questionnaire
    qn.refresh_from_db()
    assert link.used_at is not None and qn.state == Questionnaire.State.COMPLETE
    assert {a.question.code: a.value for a in qn.answers.select_related("question")} == {
        "q_likert": 5,
        "q_yesno": 1,
    }
    assert all(a.updated_by is None for a in qn.answers.all())


def test_post_without_csrf_token_is_refused(link, inst):
    client = Client(enforce_csrf_checks=True)
    r = client.post(f"/r/{link.token}/jawaban/", {"question": question(inst, "q_likert").pk, "value": "4"})
    assert r.status_code == 403
    assert not link.questionnaire.answers.exists()


def _complete_via_link(client, link, inst):
    save(client, link, question(inst, "q_likert"), "4")
    save(client, link, question(inst, "q_yesno"), "0")
    assert client.post(f"/r/{link.token}/kirim/").status_code == 200


def test_reuse_after_completion_is_refused(client, link, inst):
    _complete_via_link(client, link, inst)
    resp = client.get(page_url(link))
    assert resp.status_code == 410
    html = resp.content.decode()
    assert "Terima kasih, kuesioner sudah terkirim" in html
    assert "Pertanyaan q_likert?" not in html
    r = save(client, link, question(inst, "q_likert"), "1", base=1)
    assert r.status_code == 403 and "tidak berlaku" in r.json()["message"]
    assert r["X-Robots-Tag"].startswith("noindex")
    assert client.post(f"/r/{link.token}/kirim/").status_code == 410
    assert link.questionnaire.answers.get(question__code="q_likert").value == 4


def test_expired_link_is_refused(client, link, inst):
    RespondentLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    resp = client.get(page_url(link))
    assert resp.status_code == 410
    assert "kedaluwarsa" in resp.content.decode()
    assert save(client, link, question(inst, "q_likert"), "4").status_code == 403
    assert client.post(f"/r/{link.token}/kirim/").status_code == 410
    assert not link.questionnaire.answers.exists()


def test_link_of_a_submitted_collection_is_closed(client, link, collection, inst):
    collection.state = "submitted"
    collection.save()
    assert client.get(page_url(link)).status_code == 410
    assert save(client, link, question(inst, "q_likert"), "4").status_code == 403


@pytest.mark.parametrize("token", ["x" * 43, "nope", "a" * 300])
def test_unknown_token_is_404(client, link, inst, token):
    resp = client.get(f"/r/{token}/")
    assert resp.status_code == 404
    assert "Tautan tidak ditemukan" in resp.content.decode()
    assert resp["X-Robots-Tag"].startswith("noindex")
    r = client.post(f"/r/{token}/jawaban/", {"question": question(inst, "q_likert").pk, "value": "4"})
    assert r.status_code == 404 and r.json()["ok"] is False
    assert client.post(f"/r/{token}/kirim/").status_code == 404


def test_bad_saves_get_clear_codes(client, link, inst):
    assert save(client, link, question(inst, "q_likert"), "9").status_code == 400  # out of range
    r = save(client, link, question(inst, "q_number"), "3")  # asked of instansi, not keluarga
    assert r.status_code == 400 and "tidak ditanyakan" in r.json()["message"]
    r = client.post(f"/r/{link.token}/jawaban/", {"question": "abc", "value": "1"})
    assert r.status_code == 400
    r = client.post(f"/r/{link.token}/jawaban/", {"question": 99999999, "value": "1"})
    assert r.status_code == 400
    save(client, link, question(inst, "q_likert"), "3")
    r = save(client, link, question(inst, "q_likert"), "2", base=0)  # stale
    assert r.status_code == 409 and r.json()["conflict"]["value"] == "3"
    assert not link.questionnaire.answers.filter(value=2).exists()


def test_stale_respondent_save_after_a_staff_save_names_bnnk_staff_not_the_person(client, link, inst, bnnk_a):
    bnnk_a.first_name, bnnk_a.last_name = "Budi", "Santoso"
    bnnk_a.save()
    q = question(inst, "q_likert")
    assert save(client, link, q, "3").status_code == 200  # version 1
    writes.questionnaire_save_answer(
        questionnaire=link.questionnaire, question=q, raw_value="4", base_version=1, user=bnnk_a
    )  # BNNK staff correct it: version 2
    r = save(client, link, q, "2", base=1)  # the respondent's page still holds version 1
    assert r.status_code == 409
    body = r.json()
    assert body["message"] == (
        "Jawaban ini sudah diubah oleh petugas BNNK. Periksa nilai terbaru sebelum menyimpan."
    )
    option_text = q.options.get(value=4).label
    assert body["conflict"]["label"] == f"4 – {option_text}"  # the option's text, as the staff page shows
    assert body["conflict"]["value"] == "4" and body["conflict"]["version"] == 2
    assert body["conflict"]["by"] == "petugas BNNK" and body["conflict"]["at"]
    assert "Budi" not in r.content.decode() and "Santoso" not in r.content.decode()
    assert "bnnk_a" not in r.content.decode()


def test_stale_respondent_save_after_own_other_tab_says_another_window(client, link, inst):
    q = question(inst, "q_likert")
    save(client, link, q, "3")
    body = save(client, link, q, "2", base=0).json()
    assert "dari jendela lain" in body["message"]
    assert body["conflict"]["label"].startswith("3 – ") and body["conflict"]["by"] == ""


def test_respondent_page_reveals_no_other_questionnaire_or_staff(client, collection, inst, bnnk_a, link):
    bnnk_a.first_name, bnnk_a.last_name = "Budi", "Santoso"
    bnnk_a.save()
    other = services.questionnaire_create(
        collection=collection,
        group=group(inst, "keluarga"),
        user=bnnk_a,
        label="Rumah Pak Karto",
        village="Desa Sumber",
    )
    links.link_create(
        collection=collection, group=group(inst, "keluarga"), user=bnnk_a, label="SMAN 9 Rahasia"
    )
    resp = client.get(page_url(link))
    html = resp.content.decode()
    for secret in (
        "Rumah Pak Karto",
        "Desa Sumber",
        "SMAN 9 Rahasia",
        "Budi",
        "Santoso",
        "bnnk_a",
        f"#{other.pk}",
    ):
        assert secret not in html, secret
    # Not even this questionnaire's own label set by the BNNK.
    assert "RT 01" not in html
    # No link to the staff pages.
    assert "/survei/" not in html and not re.search(r'href="/"', html)


def test_number_score_thresholds_are_not_shown_to_the_respondent(client, collection, inst, bnnk_a):
    link = links.link_create(collection=collection, group=group(inst, "instansi"), user=bnnk_a)
    html = client.get(page_url(link)).content.decode()
    assert "Pertanyaan q_number?" in html
    assert "Ambang skor" not in html and "5 atau lebih" not in html


def test_complete_needs_the_real_origin_which_fetch_sends(link, inst):
    """Under Referrer-Policy: no-referrer a native form POST carries "Origin: null", which the CSRF check
    refuses; respondent.js therefore sends the completion with fetch (real Origin)."""
    client = Client(enforce_csrf_checks=True)
    client.get(page_url(link))
    token = client.cookies["csrftoken"].value
    for code in ("q_likert", "q_yesno"):
        client.post(
            f"/r/{link.token}/jawaban/",
            {"question": question(inst, code).pk, "value": "1", "base_version": 0},
            HTTP_X_CSRFTOKEN=token,
            HTTP_ORIGIN="http://testserver",
        )
    refused = client.post(f"/r/{link.token}/kirim/", {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="null")
    assert refused.status_code == 403
    ok = client.post(
        f"/r/{link.token}/kirim/", {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="http://testserver"
    )
    assert ok.status_code == 200
    link.refresh_from_db()
    assert link.used_at is not None


def test_check_mode_lists_missing_required_questions(client, link):
    html = client.get(page_url(link) + "?cek=1").content.decode()
    assert 'data-testid="missing-required"' in html and "q_yesno" in html
    assert 'data-testid="missing-required"' not in client.get(page_url(link)).content.decode()


def test_an_extension_gives_open_links_the_new_deadline(collection, link, pusat, client):
    from assessments import workflow

    # The old deadline passed (the link ran out) and BNN pusat extends this kab/kota by a week.
    RespondentLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(hours=1))
    until = collection.period.collection_deadline + datetime.timedelta(days=7)
    workflow.deadline_extend(collection=collection, user=pusat, until=until, reason="Banjir")
    link.refresh_from_db()
    assert timezone.localtime(link.expires_at).date() == until
    assert client.get(page_url(link)).status_code == 200  # the respondent can fill again
