"""The BNNK's survey pages: collection home, new questionnaire, fill page, complete, next, submit."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services
from assessments.autosave import writes
from assessments.models import Collection, Evidence, Period, Questionnaire
from regions.models import Regency
from tests.conftest import make_user
from tests.factories import group, make_collection, make_period, question

pytestmark = pytest.mark.django_db


def count_queries():
    return CaptureQueriesContext(connection)


@pytest.fixture
def collection(regency_a, regency_b):
    period = make_period(
        regencies=[
            regency_a,
            regency_b,
        ],
        year=2026,
    )
    return make_collection(regency_a, period)


@pytest.fixture
def inst(collection):
    return collection.period.instrument


def home_url(collection):
    return f"/survei/periode/{collection.period.year}/{collection.regency.code}/"


def new_qn(collection, inst, user, code="keluarga", **kw):
    return services.questionnaire_create(collection=collection, group=group(inst, code), user=user, **kw)


def fill(qn, user, answers: dict):
    inst = qn.collection.period.instrument
    for code, raw in answers.items():
        writes.questionnaire_save_answer(
            questionnaire=qn, question=question(inst, code), raw_value=raw, base_version=0, user=user
        )


def complete_keluarga(collection, inst, user, n):
    for _ in range(n):
        qn = new_qn(collection, inst, user)
        fill(qn, user, {"q_likert": "4", "q_yesno": "1"})
        services.questionnaire_complete(questionnaire=qn, user=user)


# --- scope -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("bnnk_a", 200),
        ("bnnk_b", 404),
        ("bnnk_other", 404),
        ("bnnp_a", 200),
        ("bnnp_other", 404),
        ("pusat", 200),
    ],
)
def test_collection_home_scope(request, client_for, collection, user_fixture, status):
    user = request.getfixturevalue(user_fixture)
    response = client_for(user).get(home_url(collection))
    assert response.status_code == status
    if status == 200:
        assert response.context["can_enter"] is (user_fixture == "bnnk_a")


def test_anonymous_is_sent_to_login(client, collection):
    response = client.get(home_url(collection))
    assert response.status_code == 302
    assert "/akun/login/" in response["Location"]


def test_bnnp_sees_read_only_notice_and_no_entry_buttons(client_for, bnnp_a, collection):
    body = client_for(bnnp_a).get(home_url(collection)).content.decode()
    assert 'data-testid="read-only"' in body
    assert "Anda hanya dapat melihat" in body
    assert "Kuesioner baru" not in body
    assert "Kirim ke BNNP" not in body


def test_non_participating_regency_is_404(client_for, bnnk_a, regency_a):
    period = make_period(regencies=[], year=2031)
    assert client_for(bnnk_a).get(f"/survei/periode/{period.year}/{regency_a.code}/").status_code == 404


def test_a_participant_has_its_collection_before_any_visit(client_for, bnnk_b, collection, regency_b):
    # Made when it joined the period; the page only reads it.
    assert Collection.objects.filter(regency=regency_b, period=collection.period).exists()
    response = client_for(bnnk_b).get(f"/survei/periode/{collection.period.year}/{regency_b.code}/")
    assert response.status_code == 200


def test_a_participant_whose_collection_is_missing_is_404_and_the_page_makes_none(
    client_for, bnnk_b, collection, regency_b
):
    Collection.objects.filter(regency=regency_b).delete()
    response = client_for(bnnk_b).get(f"/survei/periode/{collection.period.year}/{regency_b.code}/")
    assert response.status_code == 404
    assert not Collection.objects.filter(regency=regency_b).exists()


def test_home_includes_the_three_panels_once(client_for, bnnk_a, collection):
    response = client_for(bnnk_a).get(home_url(collection))
    names = [t.name for t in response.templates]
    for partial in (
        "assessments/_evidence_panel.html",
        "assessments/_links_panel.html",
        "reports/_collection_score.html",
    ):
        assert names.count(partial) == 1
    assert response.context["collection"] == collection
    assert response.context["request"] is not None


def test_home_shows_deadline_quota_and_missing(client_for, bnnk_a, collection, inst):
    complete_keluarga(collection, inst, bnnk_a, 1)
    response = client_for(bnnk_a).get(home_url(collection))
    body = response.content.decode()
    assert "10 hari lagi" in body
    rows = {r["group"].code: (r["complete"], r["quota"]) for r in response.context["quota"]}
    assert rows == {"keluarga": (1, 2), "instansi": (0, 1)}
    assert "Keluarga: 1 dari 2 kuesioner lengkap" in body
    assert "Bukti dukung wajib belum diunggah: SK Tim Terpadu P4GN" in body


# --- my collection and list ------------------------------------------------------------------------


def test_my_collection_goes_to_the_open_period(client_for, bnnk_a, regency_a, collection):
    # An older, closed period does not win over the open one.
    make_period(regencies=[regency_a], year=2020, opens_days_ago=400, deadline_in_days=-300)
    response = client_for(bnnk_a).get("/survei/")
    assert response.status_code == 302
    assert response["Location"] == home_url(collection)


def test_my_collection_falls_back_to_the_latest_participating_period(client_for, bnnk_a, regency_a):
    make_period(regencies=[regency_a], year=2019, opens_days_ago=800, deadline_in_days=-700)
    make_period(regencies=[regency_a], year=2021, opens_days_ago=400, deadline_in_days=-300)
    make_period(regencies=[], year=2022)  # open but Kota Malang does not take part
    response = client_for(bnnk_a).get("/survei/")
    assert response["Location"] == f"/survei/periode/2021/{regency_a.code}/"


def test_my_collection_without_any_period_says_so(client_for, bnnk_a):
    response = client_for(bnnk_a).get("/survei/")
    assert response.status_code == 200
    assert "belum terdaftar sebagai peserta periode penilaian" in response.content.decode()


def test_my_collection_for_bnnp_goes_to_the_list(client_for, bnnp_a):
    assert client_for(bnnp_a).get("/survei/")["Location"] == "/survei/periode/"


def test_collection_list_is_scoped(client_for, bnnp_a, bnnp_other, pusat, collection, regency_other):
    collection.period.participants.add(regency_other)
    regencies = [
        r["collection"].regency.code for r in client_for(bnnp_a).get("/survei/periode/").context["rows"]
    ]
    assert regencies == ["3507", "3573"]
    regencies = [
        r["collection"].regency.code for r in client_for(bnnp_other).get("/survei/periode/").context["rows"]
    ]
    assert regencies == ["1504"]
    regencies = [
        r["collection"].regency.code for r in client_for(pusat).get("/survei/periode/").context["rows"]
    ]
    assert regencies == ["1504", "3507", "3573"]


def test_collection_list_quota_percent(client_for, pusat, bnnk_a, collection, inst):
    complete_keluarga(collection, inst, bnnk_a, 3)  # 2 of 2 keluarga counts (capped), 0 of 1 instansi
    rows = client_for(pusat).get("/survei/periode/", {"tahun": "2026"}).context["rows"]
    row = next(r for r in rows if r["collection"].pk == collection.pk)
    assert (row["complete"], row["percent"]) == (3, 67)


def test_collection_list_garbage_year_is_ignored(client_for, pusat, collection):
    response = client_for(pusat).get("/survei/periode/", {"tahun": "x" * 5000})
    assert response.status_code == 200
    assert response.context["period"] == collection.period


def test_collection_list_query_count_is_constant(
    client_for, pusat, collection, regency_other, django_assert_num_queries
):
    client = client_for(pusat)
    client.get("/survei/periode/")  # creates the missing collections once
    with count_queries() as few:
        client.get("/survei/periode/")
    baseline = len(few)
    assert baseline <= 10
    collection.period.participants.add(*Regency.objects.filter(province__code="35"))
    client.get("/survei/periode/")
    with django_assert_num_queries(baseline):
        response = client.get("/survei/periode/")
    assert len(response.context["rows"]) == 38


# --- list filters, pagination, query counts ---------------------------------------------------------


def test_list_filters(client_for, bnnk_a, collection, inst, regency_a):
    colleague = make_user("rekan", "bnnk", regency=regency_a, first_name="Siti")
    k1 = new_qn(collection, inst, bnnk_a, label="RT 1")
    i1 = new_qn(collection, inst, colleague, "instansi", label="Dinas Pendidikan")
    fill(k1, bnnk_a, {"q_likert": "4", "q_yesno": "1"})
    services.questionnaire_complete(questionnaire=k1, user=bnnk_a)
    client = client_for(bnnk_a)

    def listed(**params):
        return [q.pk for q in client.get(home_url(collection), params).context["page"]]

    assert set(listed()) == {k1.pk, i1.pk}
    assert listed(kelompok=group(inst, "instansi").pk) == [i1.pk]
    assert listed(status="complete") == [k1.pk]
    assert listed(oleh=str(colleague.pk)) == [i1.pk]
    assert listed(oleh="link") == []
    # garbage filter values are ignored, not an error
    assert set(listed(kelompok="abc", status="<script>", oleh="9" * 50)) == {k1.pk, i1.pk}


def test_list_pagination(client_for, bnnk_a, collection, inst):
    for _ in range(30):
        new_qn(collection, inst, bnnk_a)
    client = client_for(bnnk_a)
    assert len(client.get(home_url(collection)).context["page"].object_list) == 25
    assert len(client.get(home_url(collection), {"hal": "2"}).context["page"].object_list) == 5
    assert client.get(home_url(collection), {"hal": "zz"}).status_code == 200


def test_home_query_count_does_not_grow_with_questionnaires(
    client_for, bnnk_a, collection, inst, django_assert_num_queries
):
    client = client_for(bnnk_a)
    for _ in range(3):
        fill(new_qn(collection, inst, bnnk_a), bnnk_a, {"q_likert": "3"})
    client.get(home_url(collection))
    with count_queries() as three:
        client.get(home_url(collection))
    baseline = len(three)
    for _ in range(27):
        fill(new_qn(collection, inst, bnnk_a, "instansi"), bnnk_a, {"q_likert": "3", "q_number": "7"})
    with django_assert_num_queries(baseline):
        response = client.get(home_url(collection))
    assert response.context["page"].paginator.count == 30


# --- new questionnaire -----------------------------------------------------------------------------


def test_new_questionnaire_creates_and_opens_fill_page(client_for, bnnk_a, collection, inst):
    response = client_for(bnnk_a).post(
        home_url(collection) + "kuesioner/baru/",
        {
            "group": group(inst, "keluarga").pk,
            "label": "RT 03",
            "village": "Lowokwaru",
            "filled_on": "2026-01-05",
        },
    )
    qn = Questionnaire.objects.get()
    assert response["Location"] == f"/survei/kuesioner/{qn.pk}/"
    assert (qn.group.code, qn.label, qn.village, qn.filled_on) == (
        "keluarga",
        "RT 03",
        "Lowokwaru",
        datetime.date(2026, 1, 5),
    )
    assert qn.entered_by == bnnk_a


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"filled_on": "2026-01-05"}, "Pilih kelompok responden."),
        ({"group": "999999", "filled_on": "2026-01-05"}, "Kelompok responden tidak dikenal"),
        ({"group": "abc", "filled_on": "x"}, "Tanggal tidak valid."),
        ({"group": "G", "filled_on": "2999-01-01"}, "tidak boleh di masa depan"),
        ({"group": "G", "filled_on": "2026-01-05", "label": "x" * 5000}, "paling banyak 200 karakter"),
        ({"group": "G", "filled_on": "2026-01-05", "label": "a\x00b"}, "Karakter null"),
    ],
)
def test_new_questionnaire_bad_input(client_for, bnnk_a, collection, inst, data, message):
    if data.get("group") == "G":
        data["group"] = group(inst, "keluarga").pk
    response = client_for(bnnk_a).post(home_url(collection) + "kuesioner/baru/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_new_questionnaire_group_of_another_instrument_is_refused(client_for, bnnk_a, collection, inst):
    other = make_period(year=2040).instrument
    response = client_for(bnnk_a).post(
        home_url(collection) + "kuesioner/baru/",
        {"group": group(other, "keluarga").pk, "filled_on": "2026-01-05"},
    )
    assert "Kelompok responden tidak dikenal" in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_bnnp_cannot_start_a_questionnaire(client_for, bnnp_a, collection, inst):
    response = client_for(bnnp_a).post(
        home_url(collection) + "kuesioner/baru/",
        {"group": group(inst, "keluarga").pk, "filled_on": "2026-01-05"},
        follow=True,
    )
    assert "Anda hanya dapat melihat" in response.content.decode()
    assert not Questionnaire.objects.exists()


# --- fill page -------------------------------------------------------------------------------------


def test_fill_page_shows_group_questions_by_variable(client_for, bnnk_a, collection, inst):
    qn = new_qn(collection, inst, bnnk_a)
    fill(qn, bnnk_a, {"q_likert": "4"})
    response = client_for(bnnk_a).get(f"/survei/kuesioner/{qn.pk}/")
    sections = response.context["sections"]
    assert [s["variable"].code for s in sections] == ["KK"]
    assert [i["question"].code for i in sections[0]["items"]] == ["q_likert", "q_yesno", "q_choice"]
    body = response.content.decode()
    assert "Sangat setuju" in body
    assert 'value="4" autocomplete="off" checked' in body
    assert "tersimpan " in body
    assert "/static/js/autosave.js" in body
    assert f'data-autosave-url="/survei/kuesioner/{qn.pk}/jawaban/"' in body


@pytest.mark.parametrize(
    ("user_fixture", "status"), [("bnnk_b", 404), ("bnnp_other", 404), ("bnnp_a", 200), ("pusat", 200)]
)
def test_fill_page_scope(request, client_for, bnnk_a, collection, inst, user_fixture, status):
    qn = new_qn(collection, inst, bnnk_a)
    response = client_for(request.getfixturevalue(user_fixture)).get(f"/survei/kuesioner/{qn.pk}/")
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "data-autosave-url" not in body
        assert "disabled" in body


def test_fill_page_read_only_when_excluded(client_for, bnnk_a, collection, inst):
    qn = new_qn(collection, inst, bnnk_a)
    Questionnaire.objects.filter(pk=qn.pk).update(state="excluded", excluded_reason="Responden ganda")
    body = client_for(bnnk_a).get(f"/survei/kuesioner/{qn.pk}/").content.decode()
    assert "Kuesioner ini dikecualikan: Responden ganda" in body
    assert "data-autosave-url" not in body
    assert "Tandai lengkap" not in body


def test_fill_page_read_only_after_deadline(client_for, bnnk_a, collection, inst):
    qn = new_qn(collection, inst, bnnk_a)
    Period.objects.filter(pk=collection.period.pk).update(
        collection_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    body = client_for(bnnk_a).get(f"/survei/kuesioner/{qn.pk}/").content.decode()
    assert "telah lewat" in body
    assert "data-autosave-url" not in body


def test_fill_page_query_count_does_not_grow_with_questions(
    client_for, bnnk_a, collection, inst, django_assert_num_queries
):
    keluarga_qn = new_qn(collection, inst, bnnk_a)
    fill(keluarga_qn, bnnk_a, {"q_likert": "4"})
    instansi_qn = new_qn(collection, inst, bnnk_a, "instansi")
    fill(instansi_qn, bnnk_a, {"q_likert": "4", "q_number": "3", "q_likert2": "2"})
    client = client_for(bnnk_a)
    client.get(f"/survei/kuesioner/{keluarga_qn.pk}/")
    with count_queries() as small:
        client.get(f"/survei/kuesioner/{keluarga_qn.pk}/")
    baseline = len(small)
    assert baseline <= 10  # session, user, questionnaire, questions, options, answers, + base template
    # Add 20 more questions to the instansi group, half of them answered.
    from instruments.models import Option, Question

    kl1 = question(inst, "q_number").indicator
    for i in range(20):
        q = Question.objects.create(
            instrument=inst, indicator=kl1, code=f"extra{i}", text="?", kind="yesno", order=10 + i
        )
        q.groups.add(group(inst, "instansi"))
        Option.objects.create(question=q, value=1, label="Ya", score=1)
        Option.objects.create(question=q, value=0, label="Tidak", score=0)
        if i % 2:
            fill(instansi_qn, bnnk_a, {q.code: "1"})
    with django_assert_num_queries(baseline):
        response = client.get(f"/survei/kuesioner/{instansi_qn.pk}/")
    assert response.context["total"] == 23


# --- complete and next ------------------------------------------------------------------------------


def test_complete_with_missing_required_lists_them(client_for, bnnk_a, collection, inst):
    qn = new_qn(collection, inst, bnnk_a)
    fill(qn, bnnk_a, {"q_likert": "4"})
    response = client_for(bnnk_a).post(f"/survei/kuesioner/{qn.pk}/lengkap/", follow=True)
    body = response.content.decode()
    assert "Masih ada 1 pertanyaan wajib yang belum dijawab." in body
    assert "q_yesno" in body and "Pertanyaan q_yesno?" in body
    assert "q_choice</a>" not in body  # optional
    qn.refresh_from_db()
    assert qn.state == "draft"


def test_complete_then_next_keeps_group_desa_and_date(client_for, bnnk_a, collection, inst):
    qn = new_qn(
        collection, inst, bnnk_a, village="Lowokwaru", label="RT 1", filled_on=datetime.date(2026, 2, 3)
    )
    fill(qn, bnnk_a, {"q_likert": "4", "q_yesno": "ya"})
    client = client_for(bnnk_a)
    body = client.post(f"/survei/kuesioner/{qn.pk}/lengkap/", follow=True).content.decode()
    assert "Kuesioner ditandai lengkap." in body
    assert "Isi kuesioner berikutnya" in body
    qn.refresh_from_db()
    assert qn.state == "complete"
    response = client.post(f"/survei/kuesioner/{qn.pk}/berikutnya/")
    nxt = Questionnaire.objects.exclude(pk=qn.pk).get()
    assert response["Location"] == f"/survei/kuesioner/{nxt.pk}/"
    assert (nxt.group_id, nxt.village, nxt.filled_on, nxt.label) == (
        qn.group_id,
        "Lowokwaru",
        datetime.date(2026, 2, 3),
        "",
    )


def test_next_is_refused_after_submit(client_for, bnnk_a, collection, inst):
    qn = new_qn(collection, inst, bnnk_a)
    Collection.objects.filter(pk=collection.pk).update(state="submitted")
    response = client_for(bnnk_a).post(f"/survei/kuesioner/{qn.pk}/berikutnya/", follow=True)
    assert "tidak dapat diubah" in response.content.decode()
    assert Questionnaire.objects.count() == 1


def test_complete_foreign_questionnaire_is_404(client_for, bnnk_a, bnnk_b, collection, inst):
    qn = new_qn(collection, inst, bnnk_a)
    assert client_for(bnnk_b).post(f"/survei/kuesioner/{qn.pk}/lengkap/").status_code == 404
    assert client_for(bnnk_b).post(f"/survei/kuesioner/{qn.pk}/berikutnya/").status_code == 404


# --- submit -----------------------------------------------------------------------------------------


def test_submit_with_missing_quotas_shows_the_list(client_for, bnnk_a, collection, inst):
    complete_keluarga(collection, inst, bnnk_a, 1)
    response = client_for(bnnk_a).post(home_url(collection) + "kirim/", follow=True)
    body = response.content.decode()
    assert "Koleksi belum dapat dikirim" in body
    assert "Keluarga: 1 dari 2 kuesioner lengkap" in body
    assert "Instansi Pemerintah: 0 dari 1 kuesioner lengkap" in body
    collection.refresh_from_db()
    assert collection.state == "draft"


def _meet_all(collection, inst, user):
    complete_keluarga(collection, inst, user, 2)
    qn = new_qn(collection, inst, user, "instansi")
    fill(qn, user, {"q_likert": "4", "q_number": "5", "q_likert2": "3"})
    services.questionnaire_complete(questionnaire=qn, user=user)
    Evidence.objects.create(
        collection=collection,
        evidence_type=inst.evidence_types.get(code="sk"),
        title="SK",
        file="x",
        original_name="sk.pdf",
        content_type="application/pdf",
        size=10,
    )


def test_submit_then_double_submit_is_friendly(client_for, bnnk_a, collection, inst):
    _meet_all(collection, inst, bnnk_a)
    client = client_for(bnnk_a)
    body = client.post(home_url(collection) + "kirim/", follow=True).content.decode()
    assert "Koleksi berhasil dikirim" in body
    assert 'data-testid="submitted"' in body
    assert "Kirim ke BNNP" not in body
    response = client.post(home_url(collection) + "kirim/", follow=True)
    assert response.status_code == 200
    assert "sudah dikirim" in response.content.decode()
    collection.refresh_from_db()
    assert collection.state == "submitted"
    assert collection.history.filter(state="submitted").count() == 1


def test_bnnp_cannot_submit(client_for, bnnp_a, bnnk_a, collection, inst):
    _meet_all(collection, inst, bnnk_a)
    response = client_for(bnnp_a).post(home_url(collection) + "kirim/", follow=True)
    assert "Hanya petugas BNNK" in response.content.decode()
    collection.refresh_from_db()
    assert collection.state == "draft"


def test_submit_is_post_only_and_scoped(client_for, bnnk_a, bnnk_b, collection):
    assert client_for(bnnk_a).get(home_url(collection) + "kirim/").status_code == 405
    assert client_for(bnnk_b).post(home_url(collection) + "kirim/").status_code == 404


# --- navigation and home cards ----------------------------------------------------------------------


def test_nav_and_home_cards(client_for, bnnk_a, bnnp_a):
    body = client_for(bnnk_a).get("/").content.decode()
    assert 'href="/survei/"' in body and "Survei IKOTAN" in body
    body = client_for(bnnp_a).get("/").content.decode()
    assert 'href="/survei/periode/"' in body and "Koleksi survei" in body


@pytest.mark.parametrize(
    "url",
    [
        "/survei/periode/99999999999999999999/3573/",
        "/survei/periode/2026/" + "9" * 300 + "/",
        "/survei/kuesioner/99999999999999999999/",
        "/survei/periode/2026/abc/kuesioner/baru/",
    ],
)
def test_garbage_urls_are_404(client_for, bnnk_a, collection, url):
    assert client_for(bnnk_a).get(url).status_code == 404


def test_home_after_deadline_is_read_only_with_reason(client_for, bnnk_a, collection):
    Period.objects.filter(pk=collection.period_id).update(
        collection_deadline=timezone.localdate() - datetime.timedelta(days=2)
    )
    response = client_for(bnnk_a).get(home_url(collection))
    body = response.content.decode()
    assert response.context["can_enter"] is False
    assert "telah lewat; data tidak dapat diubah lagi" in body
    assert "sudah lewat" in body
    assert "Kuesioner baru" not in body
    # the new-questionnaire page refuses with the same reason
    response = client_for(bnnk_a).get(home_url(collection) + "kuesioner/baru/", follow=True)
    assert "telah lewat" in response.content.decode()


def test_collection_home_lists_a_questionnaire_whose_entering_user_is_gone(client_for, bnnk_a, regency_a):
    # entered_by is SET_NULL when a user is deleted (and empty for generated demo data).
    collection = make_collection(regency_a)
    Questionnaire.objects.create(
        collection=collection, group=group(collection.period.instrument, "keluarga"), entered_by=None
    )
    response = client_for(bnnk_a).get(f"/survei/periode/{collection.period.year}/{regency_a.code}/")
    assert response.status_code == 200
    assert "petugas" in response.content.decode()
