"""The BNNP review page and its actions (exclude, include, return, verify), BNN pusat's finalise, reopen and
extend, the BNNK's side of a return (comments, replies, what stays locked) and what changed since."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services, workflow
from assessments.autosave import writes
from assessments.models import Collection, Evidence, Questionnaire, ReviewComment
from instruments.models import Question
from tests.factories import group, likert_options, make_collection, make_period, question

pytestmark = pytest.mark.django_db

EXTRA_LIKERT = ["q_l3", "q_l4", "q_l5", "q_l6"]


@pytest.fixture
def period(regency_a, regency_b):
    period = make_period(regencies=[regency_a, regency_b], year=2026)
    inst = period.instrument
    # Enough Likert questions for the straight-lining flag (optional, so the usual fill still completes).
    kk1 = question(inst, "q_likert").indicator
    for i, code in enumerate(EXTRA_LIKERT):
        q = Question.objects.create(
            instrument=inst,
            indicator=kk1,
            code=code,
            text=f"{code}?",
            kind="likert",
            order=10 + i,
            required=False,
        )
        q.groups.add(group(inst, "keluarga"))
        likert_options(q)
    return period


@pytest.fixture
def inst(period):
    return period.instrument


def _new(collection, user, code, answers: dict):
    inst = collection.period.instrument
    q = services.questionnaire_create(collection=collection, group=group(inst, code), user=user)
    # Started an hour ago, so only the flags under test fire (not "completed implausibly fast").
    Questionnaire.objects.filter(pk=q.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    for qcode, raw in answers.items():
        writes.questionnaire_save_answer(
            questionnaire=q, question=question(inst, qcode), raw_value=raw, base_version=0, user=user
        )
    services.questionnaire_complete(questionnaire=q, user=user)
    return q


def _fill(collection, user):
    """Two keluarga (the first straight-lined: every Likert answer 3) and one instansi, plus the SK."""
    flat = {"q_likert": "3", "q_yesno": "1", **dict.fromkeys(EXTRA_LIKERT, "3")}
    varied = {"q_likert": "4", "q_yesno": "0", "q_l3": "2", "q_l4": "5", "q_l5": "1", "q_l6": "4"}
    made = [
        _new(collection, user, "keluarga", flat),
        _new(collection, user, "keluarga", varied),
        _new(collection, user, "instansi", {"q_likert": "3", "q_number": "7", "q_likert2": "5"}),
    ]
    evidence = Evidence.objects.create(
        collection=collection,
        evidence_type=collection.period.instrument.evidence_types.get(code="sk"),
        title="SK Tim Terpadu 2026",
        file="x",
        original_name="sk.pdf",
        content_type="application/pdf",
        size=10,
    )
    evidence.questions.set([question(collection.period.instrument, "q_yesno")])
    return made


@pytest.fixture
def submitted(period, regency_a, bnnk_a):
    collection = make_collection(regency_a, period)
    collection.qs = _fill(collection, bnnk_a)
    workflow.collection_submit(collection=collection, user=bnnk_a)
    collection.refresh_from_db()
    return collection


def url(collection, suffix=""):
    return f"/survei/periode/{collection.period.year}/{collection.regency.code}/{suffix}"


def review_url(collection, suffix=""):
    return url(collection, "verifikasi/" + suffix)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _return(collection, user, comments):
    return workflow.collection_return(collection=collection, user=user, comments=comments)


# --- scope ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status", [("bnnp_a", 200), ("pusat", 200), ("bnnk_a", 403), ("bnnk_b", 404), ("bnnp_other", 404)]
)
def test_review_page_scope(request, client_for, submitted, role, status):
    response = client_for(request.getfixturevalue(role)).get(review_url(submitted))
    assert response.status_code == status
    if role == "bnnk_a":
        assert "halaman koleksi" in response.content.decode().lower()


def test_review_page_foreign_garbage_is_404(client_for, bnnp_a, submitted):
    assert client_for(bnnp_a).get("/survei/periode/2026/9999/verifikasi/").status_code == 404
    assert client_for(bnnp_a).get("/survei/periode/1999/3573/verifikasi/").status_code == 404


def test_review_page_shows_quota_evidence_and_linked_questions(client_for, bnnp_a, submitted):
    body = client_for(bnnp_a).get(review_url(submitted)).content.decode()
    assert "SK Tim Terpadu 2026" in body
    assert "Mendukung:" in body and ">q_yesno</span>" in body  # the question the document supports
    assert 'data-testid="quota-row"' in body


# --- flags ----------------------------------------------------------------------------------------------


def test_straight_lined_questionnaire_is_flagged(client_for, bnnp_a, submitted):
    flat, varied, _instansi = submitted.qs
    response = client_for(bnnp_a).get(review_url(submitted))
    rows = {r.questionnaire.pk: r for r in response.context["rows"]}
    assert [f.code for f in rows[flat.pk].flags] == ["straight_lining"]
    assert rows[varied.pk].flags == []
    assert "Semua 5 jawaban Likert bernilai sama (3)." in response.content.decode()

    only = client_for(bnnp_a).get(review_url(submitted), {"ditandai": "1"})
    assert [r.questionnaire.pk for r in only.context["rows"]] == [flat.pk]
    assert only.context["n_all"] == 3 and only.context["n_flagged"] == 1


def test_review_page_queries_do_not_grow_with_questionnaires(
    client_for, bnnp_a, submitted, bnnk_a, django_assert_num_queries
):
    client = client_for(bnnp_a)
    client.get(review_url(submitted))
    with CaptureQueriesContext(connection) as few:
        client.get(review_url(submitted))
    baseline = len(few)
    Collection.objects.filter(pk=submitted.pk).update(state="draft")
    submitted.refresh_from_db()
    for i in range(10):
        _new(submitted, bnnk_a, "keluarga", {"q_likert": str(1 + i % 5), "q_yesno": "1"})
    Collection.objects.filter(pk=submitted.pk).update(state="submitted")
    with django_assert_num_queries(baseline):
        response = client.get(review_url(submitted))
    assert response.context["n_all"] == 13


# --- exclude / include ------------------------------------------------------------------------------------


def test_exclude_needs_a_reason_then_excludes_once(client_for, bnnp_a, submitted):
    flat = submitted.qs[0]
    client = client_for(bnnp_a)
    response = client.post(
        review_url(submitted, f"kuesioner/{flat.pk}/kecualikan/"), {"alasan": " "}, follow=True
    )
    assert "Alasan pengecualian wajib diisi." in messages_of(response)
    flat.refresh_from_db()
    assert flat.state == "complete"

    response = client.post(
        review_url(submitted, f"kuesioner/{flat.pk}/kecualikan/"), {"alasan": "Jawaban seragam"}, follow=True
    )
    assert f"Kuesioner #{flat.pk} dikecualikan dari penilaian." in messages_of(response)
    flat.refresh_from_db()
    assert (flat.state, flat.excluded_reason) == ("excluded", "Jawaban seragam")

    again = client.post(
        review_url(submitted, f"kuesioner/{flat.pk}/kecualikan/"), {"alasan": "lagi"}, follow=True
    )
    assert f"Kuesioner #{flat.pk} sudah dikecualikan." in messages_of(again)
    assert submitted.review_events.filter(action="excluded").count() == 1

    back = client.post(review_url(submitted, f"kuesioner/{flat.pk}/sertakan/"), follow=True)
    assert f"Kuesioner #{flat.pk} kembali dihitung." in messages_of(back)
    flat.refresh_from_db()
    assert flat.state == "complete"


def test_bnnk_cannot_exclude(client_for, bnnk_a, submitted):
    flat = submitted.qs[0]
    response = client_for(bnnk_a).post(
        review_url(submitted, f"kuesioner/{flat.pk}/kecualikan/"), {"alasan": "x"}, follow=True
    )
    assert "Hanya BNNP provinsi ini yang dapat mengecualikan kuesioner." in messages_of(response)
    flat.refresh_from_db()
    assert flat.state == "complete"


def test_exclude_a_questionnaire_of_another_collection_is_404(
    client_for, bnnp_a, submitted, period, regency_b, bnnk_b
):
    other = make_collection(regency_b, period)
    qn = services.questionnaire_create(
        collection=other, group=group(period.instrument, "keluarga"), user=bnnk_b
    )
    response = client_for(bnnp_a).post(
        review_url(submitted, f"kuesioner/{qn.pk}/kecualikan/"), {"alasan": "x"}
    )
    assert response.status_code == 404


def test_get_on_an_action_is_refused(client_for, bnnp_a, submitted):
    assert client_for(bnnp_a).get(review_url(submitted, "setujui/")).status_code == 405


# --- return -------------------------------------------------------------------------------------------------


def test_return_without_comment_is_refused_with_message(client_for, bnnp_a, submitted):
    response = client_for(bnnp_a).post(
        review_url(submitted, "kembalikan/"), {"target": ["general", "q:1"], "text": ["", "  "]}, follow=True
    )
    assert "Tuliskan minimal satu komentar tentang apa yang harus diperbaiki." in messages_of(response)
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_return_with_targeted_comments(client_for, bnnp_a, submitted, inst):
    flat = submitted.qs[0]
    indicator = question(inst, "q_number").indicator
    sk = inst.evidence_types.get(code="sk")
    client = client_for(bnnp_a)
    data = {
        "target": [f"q:{flat.pk}", f"i:{indicator.pk}", f"t:{sk.pk}", "general"],
        "text": ["Jawaban seragam, periksa lagi.", "Angka tim tidak wajar.", "Unggah SK terbaru.", ""],
    }
    response = client.post(review_url(submitted, "kembalikan/"), data, follow=True)
    assert "Koleksi dikembalikan ke BNNK dengan 3 komentar." in messages_of(response)[0]
    submitted.refresh_from_db()
    assert (submitted.state, submitted.review_round) == ("returned", 2)
    got = {
        (c.target, c.questionnaire_id, c.indicator_id, c.evidence_type_id) for c in submitted.comments.all()
    }
    assert got == {
        ("questionnaire", flat.pk, None, None),
        ("indicator", None, indicator.pk, None),
        ("document_request", None, None, sk.pk),
    }
    again = client.post(review_url(submitted, "kembalikan/"), data, follow=True)
    assert "Koleksi ini sudah dikembalikan ke BNNK. Tidak ada yang berubah." in messages_of(again)
    assert submitted.comments.count() == 3


@pytest.mark.parametrize("target", ["x:1", "q:abc", "q:99999999", "i:" + "9" * 40])
def test_return_with_unknown_or_foreign_target_is_refused(client_for, bnnp_a, submitted, target):
    response = client_for(bnnp_a).post(
        review_url(submitted, "kembalikan/"), {"target": [target], "text": ["Perbaiki"]}, follow=True
    )
    assert response.status_code == 200
    assert any("Sasaran komentar" in m for m in messages_of(response))
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_return_cannot_target_another_kab_kotas_questionnaire(
    client_for, bnnp_a, submitted, period, regency_b, bnnk_b
):
    other = make_collection(regency_b, period)
    qn = services.questionnaire_create(
        collection=other, group=group(period.instrument, "keluarga"), user=bnnk_b
    )
    response = client_for(bnnp_a).post(
        review_url(submitted, "kembalikan/"), {"target": [f"q:{qn.pk}"], "text": ["x"]}, follow=True
    )
    assert "Sasaran komentar tidak ditemukan di koleksi ini." in messages_of(response)
    assert not ReviewComment.objects.exists()


# --- verify ---------------------------------------------------------------------------------------------------


def test_verify_and_double_verify(client_for, bnnp_a, submitted):
    client = client_for(bnnp_a)
    response = client.post(review_url(submitted, "setujui/"), follow=True)
    assert "Koleksi terverifikasi." in messages_of(response)
    again = client.post(review_url(submitted, "setujui/"), follow=True)
    assert again.status_code == 200
    assert "Koleksi ini sudah terverifikasi. Tidak ada yang berubah." in messages_of(again)
    submitted.refresh_from_db()
    assert submitted.state == "verified"
    assert submitted.review_events.filter(action="verified").count() == 1


@pytest.mark.parametrize("role,status", [("bnnk_a", 200), ("pusat", 200), ("bnnp_other", 404)])
def test_others_cannot_verify(request, client_for, submitted, role, status):
    response = client_for(request.getfixturevalue(role)).post(review_url(submitted, "setujui/"), follow=True)
    assert response.status_code == status
    if status == 200:
        assert "Hanya BNNP provinsi ini yang dapat memverifikasi." in messages_of(response)
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_verify_a_draft_says_why(client_for, bnnp_a, period, regency_b):
    draft = make_collection(regency_b, period)
    response = client_for(bnnp_a).post(review_url(draft, "setujui/"), follow=True)
    assert "Hanya koleksi yang sudah dikirim yang dapat diverifikasi." in messages_of(response)


# --- pusat: finalise, reopen, extend -----------------------------------------------------------------------------


def test_pusat_finalizes_and_reopens(client_for, bnnp_a, pusat, submitted):
    workflow.collection_verify(collection=submitted, user=bnnp_a)
    bnnp = client_for(bnnp_a)
    refused = bnnp.post(review_url(submitted, "finalkan/"), follow=True)
    assert "Hanya BNN pusat yang dapat memfinalkan." in messages_of(refused)

    client = client_for(pusat)
    body = client.get(review_url(submitted)).content.decode()
    assert "Finalkan" in body
    response = client.post(review_url(submitted, "finalkan/"), follow=True)
    assert "Koleksi difinalkan." in messages_of(response)
    assert 'data-testid="final-note"' in response.content.decode()
    again = client.post(review_url(submitted, "finalkan/"), follow=True)
    assert "Koleksi ini sudah final. Tidak ada yang berubah." in messages_of(again)

    no_reason = client.post(review_url(submitted, "buka-kembali/"), {"alasan": ""}, follow=True)
    assert "Alasan membuka kembali wajib diisi." in messages_of(no_reason)
    submitted.refresh_from_db()
    assert submitted.state == "final"
    reopened = client.post(
        review_url(submitted, "buka-kembali/"), {"alasan": "Data kuota salah hitung"}, follow=True
    )
    assert "Koleksi dibuka kembali untuk diverifikasi ulang oleh BNNP." in messages_of(reopened)
    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    assert submitted.review_events.get(action="reopened").note == "Data kuota salah hitung"


def test_final_collection_is_locked_for_the_bnnk(client_for, bnnp_a, pusat, bnnk_a, submitted, inst):
    workflow.collection_verify(collection=submitted, user=bnnp_a)
    workflow.collection_finalize(collection=submitted, user=pusat)
    response = client_for(bnnk_a).post(
        f"/survei/kuesioner/{submitted.qs[1].pk}/jawaban/",
        {"question": question(inst, "q_likert").pk, "value": "5", "base_version": "1"},
    )
    assert response.status_code == 403
    assert "Final" in response.json()["message"]


def test_pusat_extends_the_deadline_of_one_kab_kota(client_for, pusat, bnnp_a, period, regency_b):
    draft = make_collection(regency_b, period)
    until = period.collection_deadline + datetime.timedelta(days=7)
    client = client_for(pusat)
    home = client.get(url(draft))
    assert 'data-testid="extend-panel"' in home.content.decode()
    bad = client.post(url(draft, "perpanjang/"), {"sampai": "31-02-2026", "alasan": "x"}, follow=True)
    assert "Tanggal perpanjangan tidak valid. Gunakan format TTTT-BB-HH." in messages_of(bad)
    early = client.post(
        url(draft, "perpanjang/"),
        {"sampai": period.collection_deadline.isoformat(), "alasan": "x"},
        follow=True,
    )
    assert "Tanggal perpanjangan harus setelah batas pengumpulan periode." in messages_of(early)
    no_reason = client.post(
        url(draft, "perpanjang/"), {"sampai": until.isoformat(), "alasan": ""}, follow=True
    )
    assert "Alasan perpanjangan wajib diisi." in messages_of(no_reason)
    ok = client.post(
        url(draft, "perpanjang/"),
        {"sampai": until.isoformat(), "alasan": "Banjir", "next": "/survei/progres/"},
    )
    assert ok.status_code == 302 and ok["Location"] == "/survei/progres/"
    draft.refresh_from_db()
    assert draft.deadline_extended_to == until
    assert draft.review_events.get(action="extended").note.endswith("Banjir")

    refused = client_for(bnnp_a).post(
        url(draft, "perpanjang/"), {"sampai": until.isoformat(), "alasan": "x"}, follow=True
    )
    assert "Hanya BNN pusat yang dapat memperpanjang batas." in messages_of(refused)


def test_extend_ignores_an_offsite_next(client_for, pusat, period, regency_b):
    draft = make_collection(regency_b, period)
    until = period.collection_deadline + datetime.timedelta(days=3)
    response = client_for(pusat).post(
        url(draft, "perpanjang/"),
        {"sampai": until.isoformat(), "alasan": "x", "next": "https://evil.example/"},
    )
    assert response["Location"] == url(draft)


# --- the BNNK's side of a return ------------------------------------------------------------------------------------


@pytest.fixture
def returned(submitted, bnnp_a):
    flat = submitted.qs[0]
    _return(
        submitted,
        bnnp_a,
        [{"target": "questionnaire", "questionnaire": flat, "text": "Jawaban seragam, periksa lagi."}],
    )
    submitted.refresh_from_db()
    return submitted


def test_bnnk_sees_returned_panel_and_replies(client_for, bnnk_a, bnnp_a, returned):
    client = client_for(bnnk_a)
    body = client.get(url(returned)).content.decode()
    assert 'data-testid="returned-panel"' in body
    assert "Jawaban seragam, periksa lagi." in body
    assert f'href="/survei/kuesioner/{returned.qs[0].pk}/"' in body
    assert "Kirim ulang ke BNNP" in body
    comment = returned.comments.get()
    response = client.post(
        f"/survei/komentar/{comment.pk}/balas/", {"text": "Sudah dicek ulang."}, follow=True
    )
    assert "Balasan terkirim." in messages_of(response)
    assert "Sudah dicek ulang." in response.content.decode()
    again = client.post(f"/survei/komentar/{comment.pk}/balas/", {"text": "Sudah dicek ulang."}, follow=True)
    assert "Balasan ini sudah terkirim." in messages_of(again)
    empty = client.post(f"/survei/komentar/{comment.pk}/balas/", {"text": "  "}, follow=True)
    assert "Balasan tidak boleh kosong." in messages_of(empty)
    assert comment.replies.count() == 1
    # the BNNP answers in the same thread from the review page
    bnnp = client_for(bnnp_a)
    bnnp.post(f"/survei/komentar/{comment.pk}/balas/", {"text": "Baik, terima kasih."})
    assert comment.replies.count() == 2


def test_others_cannot_reply(client_for, bnnk_b, bnnk_other, pusat, returned):
    comment = returned.comments.get()
    assert client_for(bnnk_b).post(f"/survei/komentar/{comment.pk}/balas/", {"text": "x"}).status_code == 404
    assert (
        client_for(bnnk_other).post(f"/survei/komentar/{comment.pk}/balas/", {"text": "x"}).status_code == 404
    )
    response = client_for(pusat).post(f"/survei/komentar/{comment.pk}/balas/", {"text": "x"}, follow=True)
    assert "Anda tidak dapat membalas komentar ini." in messages_of(response)
    assert comment.replies.count() == 0


def test_only_returned_questionnaire_is_editable_through_autosave(client_for, bnnk_a, returned, inst):
    flat, varied, _ = returned.qs
    client = client_for(bnnk_a)
    q_likert = question(inst, "q_likert")
    ok = client.post(
        f"/survei/kuesioner/{flat.pk}/jawaban/", {"question": q_likert.pk, "value": "4", "base_version": "1"}
    )
    assert ok.status_code == 200 and ok.json()["ok"]
    refused = client.post(
        f"/survei/kuesioner/{varied.pk}/jawaban/",
        {"question": q_likert.pk, "value": "2", "base_version": "1"},
    )
    assert refused.status_code == 403
    assert refused.json()["message"] == (
        "Koleksi dikembalikan untuk perbaikan tertentu; jawaban ini tidak termasuk yang diminta."
    )


def test_fill_pages_of_a_returned_collection(client_for, bnnk_a, returned):
    flat, varied, _ = returned.qs
    client = client_for(bnnk_a)
    open_page = client.get(f"/survei/kuesioner/{flat.pk}/").content.decode()
    assert 'data-testid="fill-comments"' in open_page
    assert "Jawaban seragam, periksa lagi." in open_page
    assert "data-autosave-url" in open_page
    assert 'data-testid="q-locked"' not in open_page
    locked_page = client.get(f"/survei/kuesioner/{varied.pk}/").content.decode()
    assert "kuesioner ini tidak termasuk yang diminta" in locked_page
    assert "data-autosave-url" not in locked_page
    assert "Jawaban seragam" not in locked_page


def test_indicator_comment_unlocks_only_its_questions(client_for, bnnk_a, bnnp_a, submitted, inst):
    indicator = question(inst, "q_number").indicator  # KL1: q_number and q_likert2 (instansi)
    _return(submitted, bnnp_a, [{"target": "indicator", "indicator": indicator, "text": "Cek jumlah tim."}])
    instansi = submitted.qs[2]
    client = client_for(bnnk_a)
    response = client.get(f"/survei/kuesioner/{instansi.pk}/")
    body = response.content.decode()
    assert "Cek jumlah tim." in body
    items = {i["question"].code: i for s in response.context["sections"] for i in s["items"]}
    assert (items["q_number"]["locked"], items["q_likert2"]["locked"], items["q_likert"]["locked"]) == (
        False,
        False,
        True,
    )
    assert body.count('data-testid="q-returned"') == 2
    # Reached through the indicator: it may be completed again after a correction.
    assert response.context["can_complete"]
    saved = client.post(
        f"/survei/kuesioner/{instansi.pk}/jawaban/",
        {"question": question(inst, "q_number").pk, "value": "3", "base_version": "1"},
    )
    assert saved.status_code == 200
    locked = client.post(
        f"/survei/kuesioner/{instansi.pk}/jawaban/",
        {"question": question(inst, "q_likert").pk, "value": "1", "base_version": "1"},
    )
    assert locked.status_code == 403


def test_fill_page_of_returned_collection_query_count_is_bounded(
    client_for, bnnk_a, returned, django_assert_max_num_queries
):
    client = client_for(bnnk_a)
    client.get(f"/survei/kuesioner/{returned.qs[0].pk}/")
    # The draft fill page's bound (10) + the return scope and the comment threads (3).
    with django_assert_max_num_queries(13):
        client.get(f"/survei/kuesioner/{returned.qs[0].pk}/")


def test_new_questionnaire_hidden_unless_general_return(client_for, bnnk_a, returned):
    body = client_for(bnnk_a).get(url(returned)).content.decode()
    assert "kuesioner/baru/" not in body


# --- what changed since the last return ---------------------------------------------------------------------------


def test_changes_since_last_review(client_for, bnnk_a, bnnp_a, returned, inst):
    flat = returned.qs[0]
    comment = returned.comments.get()
    writes.questionnaire_save_answer(
        questionnaire=flat, question=question(inst, "q_l3"), raw_value="5", base_version=1, user=bnnk_a
    )
    workflow.comment_reply(comment=comment, user=bnnk_a, text="Sudah dikonfirmasi ke responden.")
    workflow.collection_submit(collection=returned, user=bnnk_a)

    response = client_for(bnnp_a).get(review_url(returned))
    changes = response.context["changes"]
    assert [(c.questionnaire_id, c.question_code, c.old, c.new) for c in changes["answers"]] == [
        (flat.pk, "q_l3", "3 (Ragu-ragu)", "5 (Sangat setuju)")
    ]
    assert changes["answers"][0].who == "bnnk_a"
    body = response.content.decode()
    assert 'data-testid="answer-change"' in body
    assert "Sudah dikonfirmasi ke responden." in body
    assert response.context["can_act"]


def test_no_changes_section_before_any_return(client_for, bnnp_a, submitted):
    response = client_for(bnnp_a).get(review_url(submitted))
    assert response.context["changes"] is None
    assert 'data-testid="changes"' not in response.content.decode()


def test_changed_and_changed_back_is_not_listed(bnnk_a, returned, inst):
    from assessments.review.selectors import changes_since_last_return

    flat = returned.qs[0]
    q = question(inst, "q_l3")
    writes.questionnaire_save_answer(
        questionnaire=flat, question=q, raw_value="5", base_version=1, user=bnnk_a
    )
    writes.questionnaire_save_answer(
        questionnaire=flat, question=q, raw_value="3", base_version=2, user=bnnk_a
    )
    assert changes_since_last_return(returned)["answers"] == []


def test_review_links_from_home_and_nav(client_for, bnnp_a, bnnk_a, submitted):
    body = client_for(bnnp_a).get(url(submitted)).content.decode()
    assert 'data-testid="review-link"' in body
    assert "/survei/progres/" in body
    bnnk_body = client_for(bnnk_a).get(url(submitted)).content.decode()
    assert 'data-testid="review-link"' not in bnnk_body
    assert "/survei/progres/" not in bnnk_body


def test_whole_loop(bnnk_b, bnnp_a, period, regency_b, inst):
    """BNNK submits; BNNP excludes a flagged questionnaire and returns with two comments; the BNNK revises
    only those and resubmits; the BNNP sees exactly that change and verifies."""
    collection = make_collection(regency_b, period)
    flat, varied, instansi = _fill(collection, bnnk_b)
    _new(collection, bnnk_b, "keluarga", {"q_likert": "5", "q_yesno": "1"})  # spare for the quota
    bnnk, bnnp = Client(), Client()  # two browsers side by side
    bnnk.force_login(bnnk_b)
    bnnp.force_login(bnnp_a)
    bnnk.post(url(collection, "kirim/"))
    rows = bnnp.get(review_url(collection), {"ditandai": "1"}).context["rows"]
    assert [r.questionnaire.pk for r in rows] == [flat.pk]
    bnnp.post(review_url(collection, f"kuesioner/{flat.pk}/kecualikan/"), {"alasan": "Seragam"})
    bnnp.post(
        review_url(collection, "kembalikan/"),
        {"target": [f"q:{varied.pk}", f"q:{instansi.pk}"], "text": ["Periksa q_l5.", "Periksa angka."]},
    )
    collection.refresh_from_db()
    assert collection.state == "returned"
    assert len(bnnk.get(url(collection)).context["review_threads"]) == 2

    def save(qn, code, value):
        return bnnk.post(
            f"/survei/kuesioner/{qn.pk}/jawaban/",
            {"question": question(inst, code).pk, "value": value, "base_version": "1"},
        )

    first = save(varied, "q_l5", "2")
    assert first.status_code == 200, first.json()
    assert save(flat, "q_l5", "2").status_code == 403  # excluded and not returned
    assert save(varied, "q_l6", "5").status_code == 200
    bnnk.post(url(collection, "kirim/"))
    collection.refresh_from_db()
    assert collection.state == "submitted"
    changes = bnnp.get(review_url(collection)).context["changes"]
    assert [(c.question_code, c.old, c.new) for c in changes["answers"]] == [
        ("q_l5", "1 (Sangat tidak setuju)", "2 (Tidak setuju)"),
        ("q_l6", "4 (Setuju)", "5 (Sangat setuju)"),
    ]
    verified = bnnp.post(review_url(collection, "setujui/"), follow=True)
    assert "Koleksi terverifikasi." in messages_of(verified)
    collection.refresh_from_db()
    assert collection.state == "verified"
    assert not workflow.open_comments(collection).exists()


def test_questionnaire_added_after_a_general_return_is_listed(client_for, bnnk_a, bnnp_a, submitted, inst):
    _return(submitted, bnnp_a, [{"target": "general", "text": "Tambah satu responden instansi."}])
    submitted.refresh_from_db()
    added = _new(submitted, bnnk_a, "instansi", {"q_likert": "4", "q_number": "2", "q_likert2": "4"})
    response = client_for(bnnp_a).get(review_url(submitted))
    assert response.status_code == 200
    changes = response.context["changes"]
    assert [(h.id, h.n_answers) for h in changes["questionnaires"]] == [(added.pk, 3)]
    assert changes["answers"] == []  # its answers are counted on its line, not listed one by one
    assert f'Kuesioner baru <a href="/survei/kuesioner/{added.pk}/">' in response.content.decode()


def test_answers_frame_scores_every_kind(submitted):
    from assessments.review.selectors import answers_frame

    frame = answers_frame(submitted)
    _flat, varied, instansi = submitted.qs
    score = {(r.questionnaire_id, r.question_id): r.score for r in frame.itertuples()}
    inst = submitted.period.instrument
    assert score[varied.pk, question(inst, "q_likert").pk] == 0.75  # Likert 4 -> 3/4
    assert score[varied.pk, question(inst, "q_yesno").pk] == 0.0
    assert score[instansi.pk, question(inst, "q_number").pk] == 1.0  # 7 >= threshold 5 -> 2/2
    assert score[instansi.pk, question(inst, "q_likert2").pk] == 1.0


def test_excluded_questionnaire_keeps_its_answer_count_but_no_flags(client_for, bnnp_a, submitted):
    flat = submitted.qs[0]
    workflow.questionnaire_exclude(questionnaire=flat, user=bnnp_a, reason="Seragam")
    rows = {r.questionnaire.pk: r for r in client_for(bnnp_a).get(review_url(submitted)).context["rows"]}
    assert (rows[flat.pk].n_answers, rows[flat.pk].flags) == (6, [])


def test_return_with_too_many_comments_is_refused(client_for, bnnp_a, submitted):
    response = client_for(bnnp_a).post(
        review_url(submitted, "kembalikan/"), {"target": ["general"] * 51, "text": ["x"] * 51}, follow=True
    )
    assert "Terlalu banyak komentar sekaligus (maksimal 50)." in messages_of(response)
    assert not ReviewComment.objects.exists()


def test_returned_for_a_questionnaire_keeps_the_documents_locked_in_the_page(client_for, bnnk_a, returned):
    body = client_for(bnnk_a).get(url(returned)).content.decode()
    assert "Unggah bukti" not in body  # no upload form: only the commented questionnaire is open


def test_returned_with_a_document_request_offers_the_upload(client_for, bnnk_a, bnnp_a, submitted):
    _return(submitted, bnnp_a, [{"target": "general", "text": "Lengkapi semua dokumen."}])
    body = client_for(bnnk_a).get(url(submitted)).content.decode()
    assert "Unggah bukti" in body


# --- the list: pages, filters, flagged first --------------------------------------------------------------


def _bulk(collection, n, code="keluarga", **fields):
    """n questionnaires without answers (so no flag), started an hour before they were completed."""
    now = timezone.now()
    Questionnaire.objects.bulk_create(
        Questionnaire(
            collection=collection,
            group=group(collection.period.instrument, code),
            state=fields.get("state", "complete"),
            excluded_reason=fields.get("excluded_reason", ""),
            created_at=now - datetime.timedelta(hours=1),
            completed_at=now,
        )
        for _i in range(n)
    )


def _pks(response) -> list[int]:
    return [r.questionnaire.pk for r in response.context["rows"]]


def test_list_is_paginated_with_the_flagged_first(client_for, bnnp_a, bnnk_a, submitted):
    flat = submitted.qs[0]
    _bulk(submitted, 26)
    Collection.objects.filter(pk=submitted.pk).update(state="draft")
    submitted.refresh_from_db()
    late = _new(
        submitted, bnnk_a, "keluarga", {"q_likert": "2", "q_yesno": "1", **dict.fromkeys(EXTRA_LIKERT, "2")}
    )
    Collection.objects.filter(pk=submitted.pk).update(state="submitted")
    client = client_for(bnnp_a)
    first = client.get(review_url(submitted))
    assert first.context["n_all"] == 30 and len(_pks(first)) == 25
    assert _pks(first)[:2] == [flat.pk, late.pk]  # the flagged ones, the last made among them
    rest = sorted(q.pk for q in submitted.questionnaires.all() if q.pk not in (flat.pk, late.pk))
    assert _pks(first)[2:] == rest[:23]
    second = client.get(review_url(submitted), {"hal": "2"})
    assert _pks(second) == rest[23:] and len(rest[23:]) == 5
    body = second.content.decode()
    assert 'data-testid="review-pages"' in body and 'href="?#kuesioner"' in body  # back to page 1
    assert "Menampilkan 26–30 dari 30" in body
    # A page past the end shows the last page; garbage shows the first.
    assert _pks(client.get(review_url(submitted), {"hal": "99"})) == rest[23:]
    assert _pks(client.get(review_url(submitted), {"hal": "x'"}))[0] == flat.pk


def test_filter_by_flag(client_for, bnnp_a, submitted):
    flat, varied, instansi = submitted.qs
    client = client_for(bnnp_a)
    assert _pks(client.get(review_url(submitted), {"ditandai": "1"})) == [flat.pk]
    assert _pks(client.get(review_url(submitted), {"ditandai": "straight_lining"})) == [flat.pk]
    assert _pks(client.get(review_url(submitted), {"ditandai": "duplicate"})) == []
    assert _pks(client.get(review_url(submitted), {"ditandai": "0"})) == [varied.pk, instansi.pk]
    unknown = client.get(review_url(submitted), {"ditandai": "<script>"})
    assert len(_pks(unknown)) == 3 and unknown.context["filters"].flag == ""


def test_filter_by_group_and_state(client_for, bnnp_a, submitted):
    flat, varied, instansi = submitted.qs
    _bulk(submitted, 2, "instansi", state="excluded", excluded_reason="ganda")
    client = client_for(bnnp_a)
    by_group = client.get(review_url(submitted), {"kelompok": "instansi"})
    assert _pks(by_group)[0] == instansi.pk and len(_pks(by_group)) == 3
    assert 'value="instansi" selected' in by_group.content.decode()
    excluded = client.get(review_url(submitted), {"status": "excluded"})
    assert len(_pks(excluded)) == 2 and instansi.pk not in _pks(excluded)
    both = client.get(review_url(submitted), {"kelompok": "keluarga", "status": "complete"})
    assert _pks(both) == [flat.pk, varied.pk]
    none = client.get(review_url(submitted), {"kelompok": "keluarga", "status": "excluded"})
    assert _pks(none) == [] and "Tidak ada kuesioner yang cocok dengan saringan." in none.content.decode()


def test_page_links_keep_the_filters(client_for, bnnp_a, submitted):
    _bulk(submitted, 40)
    response = client_for(bnnp_a).get(review_url(submitted), {"kelompok": "keluarga", "status": "complete"})
    assert response.context["n_shown"] == 42
    body = response.content.decode()
    assert 'href="?kelompok=keluarga&amp;status=complete&amp;hal=2#kuesioner"' in body
    second = client_for(bnnp_a).get(
        review_url(submitted), {"kelompok": "keluarga", "status": "complete", "hal": "2"}
    )
    assert len(_pks(second)) == 17
    assert 'href="?kelompok=keluarga&amp;status=complete#kuesioner"' in second.content.decode()


def test_exclude_and_include_return_to_the_same_page_and_filters(client_for, bnnp_a, submitted):
    _bulk(submitted, 30)
    client = client_for(bnnp_a)
    page = client.get(review_url(submitted), {"kelompok": "keluarga", "hal": "2"})
    target = _pks(page)[0]
    action = review_url(submitted, f"kuesioner/{target}/kecualikan/")
    assert f'action="{action}?kelompok=keluarga&amp;hal=2"' in page.content.decode()
    back = client.post(action + "?kelompok=keluarga&hal=2&next=//evil.example", {"alasan": "ganda"})
    assert back["Location"] == review_url(submitted) + "?kelompok=keluarga&hal=2#kuesioner"
    again = client.post(review_url(submitted, f"kuesioner/{target}/sertakan/") + "?kelompok=keluarga&hal=2")
    assert again["Location"] == review_url(submitted) + "?kelompok=keluarga&hal=2#kuesioner"
    # Without filters: the plain review page, as before.
    plain = client.post(review_url(submitted, f"kuesioner/{target}/kecualikan/"), {"alasan": "ganda"})
    assert plain["Location"] == review_url(submitted) + "#kuesioner"


@pytest.mark.parametrize("query", [{}, {"ditandai": "0", "kelompok": "keluarga", "hal": "2"}])
def test_review_page_queries_same_for_30_and_60_questionnaires(
    client_for, bnnp_a, submitted, django_assert_num_queries, query
):
    client = client_for(bnnp_a)
    _bulk(submitted, 27)
    client.get(review_url(submitted), query)
    with CaptureQueriesContext(connection) as thirty:
        assert client.get(review_url(submitted), query).context["n_all"] == 30
    _bulk(submitted, 30)
    with django_assert_num_queries(len(thirty)):
        response = client.get(review_url(submitted), query)
    assert response.context["n_all"] == 60
