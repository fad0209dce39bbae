"""The collection history page: every change with old -> new, author and time, in bounded queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.autosave import writes
from assessments.evidence import services as ev
from assessments.history import reads as history
from assessments.links import services as links
from instruments.models import EvidenceType
from tests.factories import group, make_collection, make_period, question

pytestmark = pytest.mark.django_db

URL = "/survei/periode/2026/3573/riwayat/"
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def collection(regency_a, regency_b):
    return make_collection(regency_a, make_period(regencies=[regency_a, regency_b], year=2026))


@pytest.fixture
def inst(collection):
    return collection.period.instrument


@pytest.fixture
def budi(bnnk_a):
    bnnk_a.first_name, bnnk_a.last_name = "Budi", "Santoso"
    bnnk_a.save()
    return bnnk_a


def activity(collection, inst, user, n=1):
    """n questionnaires with answers changed, completed; one evidence added and removed."""
    q_likert, q_yesno = question(inst, "q_likert"), question(inst, "q_yesno")
    qns = []
    for _ in range(n):
        qn = services.questionnaire_create(collection=collection, group=group(inst, "keluarga"), user=user)
        writes.questionnaire_save_answer(
            questionnaire=qn, question=q_likert, raw_value="3", base_version=0, user=user
        )
        writes.questionnaire_save_answer(
            questionnaire=qn, question=q_likert, raw_value="4", base_version=1, user=user
        )
        writes.questionnaire_save_answer(
            questionnaire=qn, question=q_yesno, raw_value="1", base_version=0, user=user
        )
        services.questionnaire_complete(questionnaire=qn, user=user)
        qns.append(qn)
    sk = EvidenceType.objects.get(instrument=inst, code="sk")
    doc = ev.evidence_upload(
        collection=collection,
        user=user,
        uploaded_file=SimpleUploadedFile("sk.pdf", PDF),
        evidence_type=sk,
        title="SK lama",
    )
    ev.evidence_delete(evidence=doc, user=user)
    return qns


def test_history_shows_old_new_author_and_every_kind(client_for, collection, inst, budi):
    (qn,) = activity(collection, inst, budi)
    collection.state = "submitted"
    collection._history_user = budi
    collection.save()
    resp = client_for(budi).get(URL)
    assert resp.status_code == 200
    texts = [" ".join(e.subject.split()) for e in resp.context["entries"]]
    entries = resp.context["entries"]
    change = next(
        e
        for e in entries
        if e.subject == f"Jawaban q_likert pada kuesioner #{qn.pk}" and e.new.startswith("4")
    )
    assert (change.old, change.new, change.who) == ("3 (Ragu-ragu)", "4 (Setuju)", "Budi Santoso")
    first = next(
        e
        for e in entries
        if e.subject == f"Jawaban q_likert pada kuesioner #{qn.pk}" and e.new.startswith("3")
    )
    assert first.old == "(kosong)"
    state = next(e for e in entries if e.kind == "kuesioner" and e.new)
    assert (state.old, state.new) == ("Draf", "Lengkap")
    assert any(e.kind == "koleksi" and (e.old, e.new) == ("Draf", "Dikirim") for e in entries)
    assert "Bukti dukung ditambahkan" in texts and "Bukti dukung dihapus" in texts
    # Newest first.
    assert entries[0].kind == "koleksi"
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    html = resp.content.decode()
    assert "3 (Ragu-ragu)" in html and "4 (Setuju)" in html and "oleh Budi Santoso" in html


def test_link_answers_are_by_the_respondent(client, client_for, collection, inst, budi):
    link = links.link_create(collection=collection, group=group(inst, "keluarga"), user=budi)
    client.post(
        f"/r/{link.token}/jawaban/",
        {"question": question(inst, "q_likert").pk, "value": "5", "base_version": 0},
    )
    entries = client_for(budi).get(URL).context["entries"]
    answer = next(e for e in entries if e.kind == "jawaban")
    assert answer.who == "responden (tautan)" and answer.new == "5 (Sangat setuju)"


def test_cleared_answer_shows_old_to_empty(client_for, collection, inst, budi):
    qn = services.questionnaire_create(collection=collection, group=group(inst, "keluarga"), user=budi)
    q = question(inst, "q_yesno")
    writes.questionnaire_save_answer(questionnaire=qn, question=q, raw_value="0", base_version=0, user=budi)
    writes.questionnaire_save_answer(questionnaire=qn, question=q, raw_value="", base_version=1, user=budi)
    _page, entries = history.collection_history_page(collection)
    assert (entries[0].old, entries[0].new) == ("0 (Tidak)", "(kosong)")


def test_other_collections_history_is_not_shown(collection, inst, budi, regency_b, bnnk_b):
    other = make_collection(regency_b, collection.period)
    activity(other, inst, bnnk_b)
    _page, entries = history.collection_history_page(collection)
    assert [(e.kind, e.subject) for e in entries] == [("koleksi", "Koleksi dibuat")]


def test_scope(client, client_for, collection, bnnk_b, bnnp_a, bnnp_other, pusat, bnnk_a):
    for user in (bnnk_a, bnnp_a, pusat):
        assert client_for(user).get(URL).status_code == 200
    for user in (bnnk_b, bnnp_other):
        assert client_for(user).get(URL).status_code == 404
    client.logout()
    assert client.get(URL).status_code == 302


def test_pagination_and_filter(client_for, collection, inst, budi):
    # 12 x (3 answers + 2 questionnaire rows) + 2 evidence + the collection's creation = 63
    activity(collection, inst, budi, n=12)
    client = client_for(budi)
    resp = client.get(URL)
    assert resp.context["page"].paginator.count == 63
    assert len(resp.context["entries"]) == history.PAGE_SIZE
    resp = client.get(URL + "?hal=2")
    assert len(resp.context["entries"]) == 13
    assert resp.context["entries"][-1].subject == "Koleksi dibuat"
    resp = client.get(URL + "?jenis=bukti")
    assert [e.kind for e in resp.context["entries"]] == ["bukti", "bukti"]
    assert client.get(URL + "?hal=zzz&jenis=<script>").status_code == 200


def test_query_count_does_not_grow_with_history(client_for, collection, inst, budi):
    client = client_for(budi)
    activity(collection, inst, budi, n=1)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    activity(collection, inst, budi, n=10)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    # Both pages hold every kind of change except that the collection's creation left page 1 (one
    # loader fewer); the count is bounded by the four loaders, never by the number of rows.
    assert len(many) <= len(few) <= 17


def test_selector_queries_are_fixed(collection, inst, budi, django_assert_num_queries):
    activity(collection, inst, budi, n=3)
    # count, page keys, answers (rows, questions, option labels), questionnaires (rows, groups),
    # collection rows, evidence (rows, types): 10 whatever the number of rows on the page.
    with django_assert_num_queries(10):
        _page, entries = history.collection_history_page(collection, per_page=200)
    assert {e.kind for e in entries} == set(history.KINDS)


def test_staff_created_questionnaire_outside_a_request_is_credited_to_its_enterer(collection, inst, budi):
    services.questionnaire_create(collection=collection, group=group(inst, "keluarga"), user=budi)
    _page, entries = history.collection_history_page(collection, kinds=(history.QUESTIONNAIRE,))
    assert entries[0].who == "Budi Santoso" and entries[0].note == "dibuat, diisi petugas"
