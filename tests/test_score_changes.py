"""Why a collection's current score differs from its submitted one (reports.score_changes): every reason
kind with hand-checked figures, nothing listed when nothing differs, the pages that show a difference list
its reasons, a fixed number of queries, and the demo's differences come from recorded returns and exclusions."""

import io
from collections import Counter

import pandas as pd
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role, User
from assessments import answer_frame, workflow
from assessments.autosave import writes
from assessments.models import Answer, Collection, Questionnaire
from instruments.models import Band, Variable
from reports import pdf, rendering, score_changes
from reports.score_changes import Figures, Stored
from scoring import engine
from scoring import services as score_services
from scoring.management.commands import load_demo_collections, load_demo_history
from scoring.models import Score
from tests.factories import attach_sk, complete_questionnaire, make_collection, make_period, question

pytestmark = pytest.mark.django_db

# tests/test_scores_db.py's hand-computed case: KK1 = 56.25, KK2 = 100 (weight 2), KL = 62.5.
SENT = ((56.25 + 2 * 100) / 3 + 62.5) / 2  # 73.9583
# Without the second family (q_likert 1, q_yesno 0): q_likert (1.0 + 0.75) / 2, q_yesno 1 -> KK1 = 93.75.
WITHOUT_SECOND_FAMILY = ((93.75 + 2 * 100) / 3 + 62.5) / 2  # 80.2083
# The second family's q_likert 1 -> 5: q_likert (1.0 + 0.75) / 2 = 87.5, q_yesno 50 -> KK1 = 68.75.
# A third family (q_likert 5, q_yesno 1) instead: q_likert (2/3 + 0.75) / 2, q_yesno 2/3 -> also 68.75.
KK1_6875 = ((68.75 + 2 * 100) / 3 + 62.5) / 2  # 76.0417


@pytest.fixture(autouse=True)
def _empty_cache():
    # The comparison is cached per input fingerprint, and ids repeat across rolled-back tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def period(regency_a, regency_b):
    return make_period(regencies=[regency_a, regency_b], year=2031)


def _fill(collection, user, extra_families: int = 0):
    made = [
        complete_questionnaire(
            collection, user, "keluarga", {"q_likert": "5", "q_yesno": "1", "q_choice": "3"}
        ),
        complete_questionnaire(collection, user, "keluarga", {"q_likert": "1", "q_yesno": "0"}),
        complete_questionnaire(
            collection, user, "instansi", {"q_likert": "4", "q_number": "7", "q_likert2": "2"}
        ),
    ]
    made += [
        complete_questionnaire(collection, user, "keluarga", {"q_likert": "3", "q_yesno": "1"})
        for _ in range(extra_families)
    ]
    attach_sk(collection, question(collection.period.instrument, "q_yesno"))
    return made


def _submitted(regency, period, user, extra_families: int = 0):
    collection = make_collection(regency, period)
    collection.qs = _fill(collection, user, extra_families)
    workflow.collection_submit(collection=collection, user=user)
    collection.refresh_from_db()
    return collection


@pytest.fixture
def submitted(period, regency_a, bnnk_a):
    return _submitted(regency_a, period, bnnk_a)


def _save(collection, q, code, raw, user):
    answer = q.answers.filter(question__code=code).first()
    writes.questionnaire_save_answer(
        questionnaire=q,
        question=question(collection.period.instrument, code),
        raw_value=raw,
        base_version=answer.version if answer else 0,
        user=user,
    )


def _return(collection, bnnp, text="Periksa lagi jawaban keluarga."):
    workflow.collection_return(
        collection=collection, user=bnnp, comments=[{"target": "general", "text": text}]
    )
    collection.refresh_from_db()


def _resubmit(collection, user):
    workflow.collection_submit(collection=Collection.objects.get(pk=collection.pk), user=user)


def _changes(collection):
    return score_changes.changes_for_collection_id(collection.pk)


def _score(collection, **kwargs):
    score_services.score_collections(collection.period, **kwargs)


# --- pure -----------------------------------------------------------------------------------------------


def _answers(rows):
    return pd.DataFrame(rows, columns=answer_frame.ANSWER_COLUMNS).astype({"value": "float64"})


def test_compare_finds_questionnaires_gone_and_new_and_each_changed_answer():
    sent = _answers([(1, 10, 7, 100, 3.0), (1, 10, 7, 101, 1.0), (1, 11, 7, 100, 2.0), (1, 12, 8, 100, 4.0)])
    now = _answers([(1, 10, 7, 100, 5.0), (1, 11, 7, 100, 2.0), (1, 11, 7, 101, 1.0), (1, 13, 8, 100, 1.0)])
    diff = score_changes.compare(sent, now)
    assert diff.removed == {12: 8} and diff.added == {13: 8}
    # 10: q100 3 -> 5 and q101 cleared; 11: q101 answered since; 11's q100 is unchanged.
    changed = sorted(map(tuple, diff.changed[["questionnaire_id", "question_id", "group_id"]].to_numpy()))
    assert changed == [(10, 100, 7), (10, 101, 7), (11, 101, 7)]
    assert score_changes.answer_counts(diff.changed) == {7: (3, 2)}


BANDS = engine.BandSpec(kind=engine.FIXED, labels=("Rendah", "Tinggi"), uppers=(50.0, 100.0))


def _stored(overall, category="Tinggi", signature="sig", input_hash="h", **kw) -> Stored:
    values = {"overall": overall, "reported": round(overall, 2), "category": category, "variables": {}}
    return Stored(signature=signature, input_hash=input_hash, quotas={"keluarga": 2}, **(values | kw))


def _figures(**kw) -> Figures:
    values = {
        "excluded": {},
        "dropped": {},
        "added": {},
        "answers": {},
        "unrecorded": 0,
        "steps": [60.0] * 5,
        "signature": "sig",
        "quotas": {"keluarga": 2},
        "group_codes": {7: "keluarga"},
        "bands": BANDS,
    }
    return Figures(**(values | kw))


def test_a_difference_the_stored_data_does_not_explain_says_so():
    changes = score_changes.explain(_figures(), _stored(60.0), _stored(62.5), [], {7: "Keluarga"})
    [reason] = changes.reasons
    assert reason.kind == "unrecorded" and reason.text.startswith("Penyebab tidak tercatat")
    assert reason.points == pytest.approx(2.5)


def test_a_recompute_still_due_is_named_not_called_unrecorded():
    changes = score_changes.explain(_figures(fresh=False), _stored(60.0), _stored(62.5), [], {7: "Keluarga"})
    assert [(r.kind, r.points) for r in changes.reasons] == [("pending", pytest.approx(2.5))]


def test_relative_bands_explain_a_category_change_at_the_same_index():
    relative = engine.BandSpec(kind=engine.RELATIVE, labels=("Rendah", "Tinggi"))
    changes = score_changes.explain(
        _figures(bands=relative), _stored(60.0, "Rendah"), _stored(60.0, "Tinggi"), [], {7: "Keluarga"}
    )
    [reason] = changes.reasons
    assert reason.kind == "bands" and "Rendah → Tinggi" in reason.text and "sebaran skor" in reason.text


def test_without_a_snapshot_the_difference_is_unrecorded():
    changes = score_changes.explain(None, _stored(60.0), _stored(61.0), [], {})
    assert [r.kind for r in changes.reasons] == ["unrecorded"] and not changes.with_points


# --- each reason from the database, with hand-checked figures ---------------------------------------------


def test_no_difference_lists_nothing_and_reads_nothing_more(submitted, django_assert_num_queries):
    _score(submitted)
    stored = {s.basis: s for s in Score.objects.filter(collection=submitted)}
    with django_assert_num_queries(0):
        changes = score_changes.collection_changes(
            submitted, stored[Score.Basis.SUBMITTED], stored[Score.Basis.CURRENT]
        )
    assert changes.reasons == [] and changes.delta == pytest.approx(0)


def test_an_exclusion_lists_its_group_recorded_reason_and_points(submitted, bnnp_a):
    workflow.questionnaire_exclude(questionnaire=submitted.qs[1], user=bnnp_a, reason="Jawaban tidak wajar")
    _score(submitted)
    changes = _changes(submitted)
    assert changes.delta == pytest.approx(WITHOUT_SECOND_FAMILY - SENT)  # +6.25
    [reason] = changes.reasons
    assert reason.kind == "excluded" and reason.text == "1 kuesioner dikecualikan BNNP"
    assert reason.points == pytest.approx(6.25)
    assert reason.groups == ["Keluarga 1"] and reason.details == ["Alasan: “Jawaban tidak wajar” (1)"]


def test_answers_corrected_after_a_return_are_counted_per_group_with_the_return(submitted, bnnp_a, bnnk_a):
    _return(submitted, bnnp_a)
    _save(submitted, submitted.qs[1], "q_likert", "5", bnnk_a)
    _resubmit(submitted, bnnk_a)
    _score(submitted)
    changes = _changes(submitted)
    [reason] = changes.reasons
    assert reason.kind == "answers" and reason.text == "1 jawaban diubah pada 1 kuesioner setelah dikirim"
    assert reason.points == pytest.approx(KK1_6875 - SENT)  # +2.08
    assert reason.groups == ["Keluarga 1 jawaban/1 kuesioner"]
    [note] = reason.details
    assert note.startswith("Setelah dikembalikan 1 kali (terakhir ")
    assert "riwayat" not in note  # the change is in the answer history


def test_answers_changed_without_a_return_or_history_say_so(submitted):
    # An answer written straight into the table after the snapshot (a script or a database edit).
    answer = submitted.qs[1].answers.get(question__code="q_likert")
    type(answer).objects.filter(pk=answer.pk).update(value=5)
    Questionnaire.objects.filter(pk=submitted.qs[1].pk).update(updated_at=timezone.now())
    _score(submitted)
    [reason] = _changes(submitted).reasons
    assert reason.kind == "answers" and reason.points == pytest.approx(KK1_6875 - SENT)
    assert reason.details == ["Tanpa pengembalian tercatat; perubahan ini tidak ada di riwayat jawaban."]


def test_a_questionnaire_added_after_a_return(submitted, bnnp_a, bnnk_a):
    _return(submitted, bnnp_a, "Tambah satu keluarga.")
    complete_questionnaire(submitted, bnnk_a, "keluarga", {"q_likert": "5", "q_yesno": "1"})
    _resubmit(submitted, bnnk_a)
    _score(submitted)
    [reason] = _changes(submitted).reasons
    assert reason.kind == "added" and reason.text.startswith("1 kuesioner mulai dihitung setelah dikirim")
    assert reason.points == pytest.approx(KK1_6875 - SENT) and reason.groups == ["Keluarga 1"]


def test_a_deleted_questionnaire_is_dropped(submitted):
    Questionnaire.objects.filter(pk=submitted.qs[1].pk).delete()
    _score(submitted)
    [reason] = _changes(submitted).reasons
    assert reason.kind == "dropped" and reason.text.startswith("1 kuesioner tidak dihitung lagi")
    assert reason.points == pytest.approx(WITHOUT_SECOND_FAMILY - SENT)


def test_several_reasons_add_up_to_the_difference(submitted, bnnp_a, bnnk_a):
    _return(submitted, bnnp_a)
    _save(submitted, submitted.qs[1], "q_likert", "5", bnnk_a)
    complete_questionnaire(submitted, bnnk_a, "keluarga", {"q_likert": "2", "q_yesno": "1"})
    _resubmit(submitted, bnnk_a)
    workflow.questionnaire_exclude(questionnaire=submitted.qs[0], user=bnnp_a, reason="Ganda")
    _score(submitted)
    changes = _changes(submitted)
    assert [r.kind for r in changes.reasons] == ["excluded", "added", "answers"]
    assert sum(r.points for r in changes.reasons) == pytest.approx(changes.delta)


def test_a_weight_changed_before_the_submitted_score_was_recomputed(submitted):
    _score(submitted)
    Variable.objects.filter(instrument=submitted.period.instrument, code="KK").update(weight=3)
    _score(submitted, bases=(Score.Basis.CURRENT,))  # the submitted score keeps the old signature
    changes = _changes(submitted)
    assert changes.delta == pytest.approx((3 * (56.25 + 200) / 3 + 62.5) / 4 - SENT)  # 79.6875 - 73.9583
    [reason] = changes.reasons
    assert (
        reason.kind == "instrument"
        and reason.text == "Instrumen/bobot diubah setelah skor saat dikirim dihitung"
    )
    assert reason.points == pytest.approx(changes.delta)


def test_a_band_edge_moved_changes_the_category_at_the_same_index(submitted):
    _score(submitted)
    scheme = submitted.period.instrument.band_scheme
    Band.objects.filter(scheme=scheme, label="Tanggap").update(upper="73.00")
    Band.objects.filter(scheme=scheme, label="Sangat Tanggap").update(lower="73.01")
    _score(submitted, bases=(Score.Basis.CURRENT,))
    changes = _changes(submitted)
    assert [r.kind for r in changes.reasons] == ["instrument", "bands"]
    instrument, bands = changes.reasons
    assert instrument.text.endswith(": batas atau nama kategori") and instrument.points == pytest.approx(0)
    assert bands.text == (
        "Kategori berubah (Tanggap → Sangat Tanggap) pada indeks yang sama: skema kategori diubah."
    )


# --- the pages ---------------------------------------------------------------------------------------------


def test_the_review_page_collection_home_and_report_card_list_the_reasons(
    submitted, bnnp_a, bnnk_a, client_for
):
    workflow.questionnaire_exclude(questionnaire=submitted.qs[1], user=bnnp_a, reason="Jawaban tidak wajar")
    _score(submitted)
    base = f"/survei/periode/{submitted.period.year}/{submitted.regency.code}/"
    review = client_for(bnnp_a).get(base + "verifikasi/").content.decode()
    for body in (review, client_for(bnnk_a).get(base).content.decode()):
        assert 'data-testid="score-reasons"' in body
        assert "1 kuesioner dikecualikan BNNP" in body and "(+6,25)" in body
        assert "“Jawaban tidak wajar”" in body
    card = client_for(bnnp_a).get(
        reverse("reports:regency", args=[submitted.regency.code]), {"tahun": submitted.period.year}
    )
    body = card.content.decode()
    assert 'data-testid="submitted-diff"' in body and "+6,25" in body
    assert "1 kuesioner dikecualikan BNNP" in body


def test_the_pdf_report_card_prints_the_reasons_in_indonesian(submitted, bnnp_a):
    workflow.questionnaire_exclude(questionnaire=submitted.qs[1], user=bnnp_a, reason="Jawaban tidak wajar")
    _score(submitted)
    data = rendering.load_period(submitted.period)
    with translation.override("en"):  # a render started from an English page still prints Indonesian
        context = rendering.report_context(
            data, "regency", submitted.regency.code, today=timezone.localdate(), with_levers=False
        )
    html = pdf.report_html("regency.html", context)
    assert (
        "Penyebab selisih dari skor saat dikirim: 1 kuesioner dikecualikan BNNP (+6,25 poin) — Keluarga 1. "
        "Alasan: “Jawaban tidak wajar” (1)"
    ) in html


def test_pages_without_a_difference_show_no_reasons(submitted, bnnp_a, client_for):
    _score(submitted)
    body = (
        client_for(bnnp_a).get(f"/survei/periode/2031/{submitted.regency.code}/verifikasi/").content.decode()
    )
    assert 'data-testid="score-diff"' in body and 'data-testid="score-reasons"' not in body


def _corrected(regency, period, bnnk, bnnp, extra_families):
    """Submitted, returned, every family's q_likert corrected, sent again, one family excluded, scored."""
    collection = _submitted(regency, period, bnnk, extra_families)
    _return(collection, bnnp)
    for q in collection.qs:
        if q.group.code == "keluarga":
            _save(collection, q, "q_likert", "4", bnnk)
    _resubmit(collection, bnnk)
    workflow.questionnaire_exclude(questionnaire=collection.qs[-1], user=bnnp, reason="Ganda")
    return collection


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_reasons_cost_the_same_queries_however_many_questionnaires(
    period, regency_a, regency_b, bnnk_a, bnnk_b, bnnp_a, client_for
):
    small = _corrected(regency_a, period, bnnk_a, bnnp_a, extra_families=0)
    large = _corrected(regency_b, period, bnnk_b, bnnp_a, extra_families=8)
    score_services.score_collections(period)
    client = client_for(bnnp_a)
    counts = {}
    for c in (small, large):
        url = f"/survei/periode/{period.year}/{c.regency.code}/verifikasi/"
        assert 'data-reason="answers"' in client.get(url).content.decode()
        cache.clear()
        counts[c.regency.code] = (_queries(client, url), _queries(client, url))  # not cached, then cached
    assert counts[small.regency.code] == counts[large.regency.code]
    missed, cached = counts[small.regency.code]
    assert missed > cached  # the comparison's queries are only paid once per pair of fingerprints


# --- the demo ----------------------------------------------------------------------------------------------


def _load_demo(monkeypatch, settings):
    """make setup's demo commands, with one synthetic history year instead of three (quicker)."""
    settings.DEBUG = True
    monkeypatch.setattr(load_demo_history, "YEARS_BACK", 1)
    monkeypatch.setattr(load_demo_collections, "YEARS_BACK", 1)
    for command in ("seed_demo", "load_demo_history", "load_demo_survey", "load_demo_collections"):
        call_command(command, stdout=io.StringIO())


def _demo_reasons(collection):
    stored = {s.basis: s for s in collection.scores.all()}
    return score_changes.collection_changes(
        collection, stored.get(Score.Basis.SUBMITTED), stored.get(Score.Basis.CURRENT)
    )


def _demo_causes(year: int) -> dict:
    """Kab/kota code -> the reasons of this year's demo differences; checks every year's add up."""
    causes, moved_before = {}, 0
    for collection in (
        Collection.objects.exclude(state=Collection.State.DRAFT)
        .select_related("regency", "period__instrument__band_scheme")
        .order_by("period__year", "regency__code")
    ):
        changes = _demo_reasons(collection)
        if changes is None or not changes.reasons:
            assert changes is None or abs(changes.delta) < score_changes.POINT
            continue
        assert sum(r.points for r in changes.reasons) == pytest.approx(changes.delta, abs=1e-6)
        if collection.period.year == year:
            causes[collection.regency.code] = changes.reasons
        else:  # load_demo_history's synthetic years (answers corrected after their snapshot)
            moved_before += 1
            assert {r.kind for r in changes.reasons} == {"answers"}
    assert moved_before > 100  # about a third of 514 kab/kota last year
    return causes


@pytest.mark.once
def test_the_demo_differences_come_from_a_recorded_return_or_exclusion(monkeypatch, settings, client):
    _load_demo(monkeypatch, settings)
    year = timezone.localdate().year
    causes = _demo_causes(year)
    # This year: only the returned-and-corrected kab/kota and the one with exclusions differ, each for
    # its recorded cause, never "not in the answer history" or "cause not recorded".
    corrected, excluded_in = set(load_demo_collections.CORRECTED), load_demo_collections.EXCLUDED_IN
    assert causes.keys() == corrected | {excluded_in}
    for code in corrected:
        [reason] = causes[code]
        assert reason.kind == "answers" and reason.text.endswith("setelah dikirim")
        [note] = reason.details
        assert note.startswith("Setelah dikembalikan 1 kali (terakhir ") and note.endswith(").")
    [reason] = causes[excluded_in]
    assert reason.kind == "excluded" and reason.text == "2 kuesioner dikecualikan BNNP"
    assert reason.details == [f"Alasan: “{load_demo_collections.EXCLUSION_REASON}” (2)"]
    assert reason.points < 0  # the excluded two answered the top option everywhere

    _check_demo_corrections(year)
    _check_demo_review_pages(year, client)


def _check_demo_corrections(year: int) -> None:
    """Each correction: submitted, returned by the BNNP, a handful of answers saved by the kab/kota's
    BNNK (each in the answer history, on the questionnaires the comments named), sent again."""
    history = Answer.history.model
    states = Counter()
    for collection in Collection.objects.filter(
        period__year=year, regency__code__in=load_demo_collections.CORRECTED
    ).select_related("regency"):
        states[collection.state] += 1
        bnnk = User.objects.get(role=Role.BNNK, regency=collection.regency)
        events = list(
            collection.review_events.order_by("at", "pk").values_list("action", "round", "actor__role")
        )
        assert events[:3] == [
            ("submitted", 1, Role.BNNK),
            ("returned", 1, Role.BNNP),
            ("submitted", 2, Role.BNNK),
        ]
        assert collection.review_round == 2 and collection.snapshots.filter(round=2).exists()
        returned_at = collection.review_events.get(action="returned").at
        corrected = history.objects.filter(
            questionnaire__collection=collection, history_type="~", history_date__gt=returned_at
        )
        assert 5 <= corrected.count() <= 15  # a handful, readable on the review page
        assert set(corrected.values_list("history_user", flat=True)) == {bnnk.pk}
        assert (
            corrected.values("questionnaire").distinct().count()
            == collection.comments.filter(parent__isnull=True, target="questionnaire").count()
        )
        assert not bnnk.has_usable_password()
    assert states == {Collection.State.SUBMITTED: 3, Collection.State.VERIFIED: 2}


def _check_demo_review_pages(year: int, client) -> None:
    client.force_login(User.objects.get(username="bnnp.jatim"))
    body = client.get(f"/survei/periode/{year}/3502/verifikasi/").content.decode()  # Kabupaten Ponorogo
    assert 'data-reason="answers"' in body and "Setelah dikembalikan 1 kali" in body
    assert "tidak ada di riwayat jawaban" not in body and "tidak tercatat" not in body
    # The list of changes since the return shows every correction with the value it replaced, who
    # changed it, and the BNNK's reply.
    corrections = Answer.history.filter(
        questionnaire__collection__period__year=year,
        questionnaire__collection__regency__code="3502",
        history_type="~",
    ).count()
    assert body.count('data-testid="answer-change"') == corrections and "(kosong)" not in body
    assert body.count("Petugas BNNK Kabupaten Ponorogo") > corrections
    assert load_demo_collections.REPLY in body

    excluded_in = load_demo_collections.EXCLUDED_IN
    body = client.get(f"/survei/periode/{year}/{excluded_in}/verifikasi/").content.decode()
    assert 'data-reason="excluded"' in body and load_demo_collections.EXCLUSION_REASON in body
    assert "tidak ada di riwayat jawaban" not in body and "tidak tercatat" not in body
