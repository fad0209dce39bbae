"""Stored scores: the engine's numbers saved per collection, instrument and basis; idempotence,
snapshots (submitted vs current), relative bands, debounce, the broker being down and the sweep."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import workflow
from assessments.models import Collection, Questionnaire
from instruments.models import Band, BandScheme, Question
from kotan.celery import app
from scoring import inputs, scheduling, tasks
from scoring import services as score_services
from scoring import signals as scoring_signals
from scoring.models import Score
from tests.factories import (
    attach_sk,
    make_collection,
    make_instrument,
    make_period,
    question,
)
from tests.factories import complete_questionnaire as _new

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pending_keys():
    # Debounce keys live in the cache, and ids repeat across rolled-back tests.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _fill(collection, user):
    """The hand-computed case of tests/test_scoring.py on the factory instrument:
    q_likert: families 5 and 1 (mean 0.5), institution 4 (0.75) -> 62.5; q_yesno 1, 0 -> 50;
    q_choice 3 (one family; optional) -> 100; q_number 7 -> 100; q_likert2 2 -> 25.
    KK1 = 56.25, KK2 = 100 (weight 2) -> KK = 85.4167; KL1 = (100 + 25) / 2 = 62.5 -> KL = 62.5;
    overall = (85.4167 + 62.5) / 2 = 73.9583 -> Tanggap."""
    made = [
        _new(collection, user, "keluarga", {"q_likert": "5", "q_yesno": "1", "q_choice": "3"}),
        _new(collection, user, "keluarga", {"q_likert": "1", "q_yesno": "0"}),
        _new(collection, user, "instansi", {"q_likert": "4", "q_number": "7", "q_likert2": "2"}),
    ]
    attach_sk(collection, question(collection.period.instrument, "q_yesno"))
    return made


EXPECTED = (56.25 + 2 * 100) / 3 / 2 + 62.5 / 2


@pytest.fixture
def period(regency_a, regency_b):
    return make_period(regencies=[regency_a, regency_b], year=2031)


@pytest.fixture
def submitted(period, regency_a, bnnk_a):
    collection = make_collection(regency_a, period)
    collection.qs = _fill(collection, bnnk_a)
    workflow.collection_submit(collection=collection, user=bnnk_a)
    collection.refresh_from_db()
    return collection


def current(collection) -> Score:
    return Score.objects.get(collection=collection, basis=Score.Basis.CURRENT)


def test_stored_score_is_the_engines_hand_computed_value(submitted, period):
    run = score_services.score_collections(period)
    assert run.written == 2  # current and submitted
    score = current(submitted)
    assert score.overall == pytest.approx(EXPECTED)
    assert score.reported == round(EXPECTED, 2)
    assert score.category == "Tanggap"
    assert score.variables == {"KK": pytest.approx((56.25 + 200) / 3, abs=1e-4), "KL": 62.5}
    assert score.indicators["KK1"] == 56.25 and score.indicators["KL1"] == 62.5
    assert score.groups == {
        "keluarga": {"n": 2, "quota": 2, "met": True},
        "instansi": {"n": 1, "quota": 1, "met": True},
    }
    assert score.quota_met and score.respondents == 3
    assert score.instrument_id == period.instrument_id
    assert len(score.input_hash) == 64


def test_drafts_get_no_stored_score(period, regency_b, bnnk_b):
    draft = make_collection(regency_b, period)
    _new(draft, bnnk_b, "keluarga", {"q_likert": "5", "q_yesno": "1"})
    score_services.score_collections(period)
    assert not Score.objects.filter(collection=draft).exists()


def test_recomputing_unchanged_inputs_writes_nothing(submitted, period):
    score_services.score_collections(period)
    before = list(Score.objects.values_list("pk", "computed_at", "checked_at").order_by("pk"))
    with CaptureQueriesContext(connection) as ctx:
        run = score_services.score_collections(period)
    assert run.written == 0 and run.unchanged == 2
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert list(Score.objects.values_list("pk", "computed_at", "checked_at").order_by("pk")) == before


def test_the_same_task_twice_leaves_one_correct_row(submitted):
    tasks.compute_collection_score(submitted.pk)
    tasks.compute_collection_score(submitted.pk)
    assert Score.objects.filter(collection=submitted).count() == 2
    assert current(submitted).overall == pytest.approx(EXPECTED)


def test_a_row_written_by_another_worker_is_upserted_not_duplicated(submitted, period):
    # Another worker got there first with older inputs: the upsert replaces it in place.
    Score.objects.create(
        collection=submitted,
        instrument=period.instrument,
        basis=Score.Basis.CURRENT,
        overall=1,
        reported=1,
        input_hash="stale",
        computed_at=timezone.now(),
        checked_at=timezone.now(),
    )
    score_services.score_collections(period, [submitted.pk])
    rows = Score.objects.filter(collection=submitted, basis=Score.Basis.CURRENT)
    assert rows.count() == 1 and rows.get().overall == pytest.approx(EXPECTED)


def test_exclusion_changes_the_current_score_but_not_the_submitted_one(submitted, period, bnnp_a):
    score_services.score_collections(period)
    low_family = submitted.qs[1]
    workflow.questionnaire_exclude(questionnaire=low_family, user=bnnp_a, reason="Jawaban tidak wajar")
    run = score_services.score_collections(period)
    assert run.written == 1  # only the current basis changed
    # Without the 1/0 family: q_likert = (1.0 + 0.75) / 2, q_yesno = 1 -> KK1 = 93.75
    kk = (93.75 + 200) / 3
    assert current(submitted).overall == pytest.approx((kk + 62.5) / 2)
    sent = Score.objects.get(collection=submitted, basis=Score.Basis.SUBMITTED)
    assert sent.overall == pytest.approx(EXPECTED)
    assert current(submitted).groups["keluarga"] == {"n": 1, "quota": 2, "met": False}
    assert not current(submitted).quota_met


def test_submit_keeps_a_snapshot_of_what_was_sent(submitted):
    snap = submitted.snapshots.get()
    assert snap.round == 1
    assert len(snap.rows) == 8  # 3 + 2 + 3 answers
    assert sorted({r[0] for r in snap.rows}) == sorted(q.pk for q in submitted.qs)


def test_earlier_periods_keep_their_scores_when_a_new_version_appears(submitted, period, regency_a, bnnk_a):
    score_services.score_collections(period)
    old = current(submitted)
    newer = make_period(make_instrument(), regencies=[regency_a], year=2032)
    other = make_collection(regency_a, newer)
    _fill(other, bnnk_a)
    workflow.collection_submit(collection=other, user=bnnk_a)
    score_services.score_collections(newer)
    score_services.score_collections(period)
    assert current(submitted).pk == old.pk and current(submitted).computed_at == old.computed_at
    assert Score.objects.filter(instrument=newer.instrument).count() == 2


def test_reopened_to_draft_loses_its_stored_score(submitted, period):
    score_services.score_collections(period)
    Collection.objects.filter(pk=submitted.pk).update(state=Collection.State.DRAFT)
    score_services.score_collections(period, [submitted.pk])
    assert not Score.objects.filter(collection=submitted).exists()


@pytest.fixture
def relative_period(regency_a, regency_b, bnnk_a, bnnk_b):
    inst = make_instrument()
    scheme = BandScheme.objects.create(
        code="rel-test", name="Relatif", kind="relative", scale_min=1, scale_max=4, decimals=3
    )
    for i, label in enumerate(["Cukup Tanggap", "Tanggap", "Sangat Tanggap"]):
        Band.objects.create(scheme=scheme, order=i, label=label)
    inst.band_scheme = scheme
    inst.save()
    return make_period(inst, regencies=[regency_a, regency_b], year=2033)


def test_relative_categories_wait_for_every_participant(
    relative_period, regency_a, regency_b, bnnk_a, bnnk_b
):
    a = make_collection(regency_a, relative_period)
    _fill(a, bnnk_a)
    workflow.collection_submit(collection=a, user=bnnk_a)
    score_services.score_collections(relative_period)
    assert current(a).category == ""  # regency_b not scored yet
    assert 1 <= current(a).reported <= 4
    b = make_collection(regency_b, relative_period)
    b_qs = [
        _new(b, bnnk_b, "keluarga", {"q_likert": "1", "q_yesno": "0"}),
        _new(b, bnnk_b, "keluarga", {"q_likert": "1", "q_yesno": "0"}),
        _new(b, bnnk_b, "instansi", {"q_likert": "1", "q_number": "0", "q_likert2": "1"}),
    ]
    assert len(b_qs) == 3
    Collection.objects.filter(pk=b.pk).update(state=Collection.State.SUBMITTED)
    run = score_services.score_collections(relative_period)
    assert run.categories_updated >= 2
    assert current(b).reported == 1.0  # every answer at the bottom
    assert current(b).category == "Cukup Tanggap"
    assert current(a).category == "Sangat Tanggap"  # 3.219 >= edge 3.0 (1 + 2 * (4 - 1) / 3)


def test_a_burst_of_requests_enqueues_one_computation(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch.object(tasks.compute_collection_score, "apply_async") as send:
        for _ in range(60):
            scheduling.request_collection_score(4242)
    assert send.call_count == 1
    assert send.call_args.kwargs["countdown"] == settings.SCORE_DEBOUNCE_SECONDS
    scheduling.clear_pending(4242)


@pytest.fixture
def broker_down(settings):
    """A broker that refuses connections (nothing listens on port 1)."""
    saved = (app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    app._pool = app.amqp._producer_pool = None  # fresh connections to the refusing broker
    yield
    app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool = saved


def test_broker_down_saves_everything_and_the_sweep_scores_later(
    broker_down, period, regency_a, bnnk_a, client_for, django_capture_on_commit_callbacks
):
    collection = make_collection(regency_a, period)
    with django_capture_on_commit_callbacks(execute=True):
        made = _fill(collection, bnnk_a)
        workflow.collection_submit(collection=collection, user=bnnk_a)
    collection.refresh_from_db()
    assert collection.state == Collection.State.SUBMITTED
    assert Questionnaire.objects.filter(pk__in=[q.pk for q in made], state="complete").count() == 3
    assert not Score.objects.filter(collection=collection).exists()
    page = client_for(bnnk_a).get(f"/survei/periode/{period.year}/{regency_a.code}/")
    assert page.status_code == 200
    assert "Skor sedang dihitung" in page.content.decode()
    # Redis is back: the beat sweep finds the missing score and computes it.
    assert score_services.stale_collections() == {period.pk: [collection.pk]}
    tasks.sweep_scores()
    assert current(collection).overall == pytest.approx(EXPECTED)
    assert score_services.stale_collections() == {}
    page = client_for(bnnk_a).get(f"/survei/periode/{period.year}/{regency_a.code}/")
    assert "Skor sedang dihitung" not in page.content.decode()


def test_sweep_picks_a_collection_changed_after_its_score(submitted, period, bnnp_a):
    score_services.score_collections(period)
    assert score_services.stale_collections() == {}
    earlier = timezone.now() - datetime.timedelta(minutes=5)
    Score.objects.update(computed_at=earlier, checked_at=earlier)  # scored a while ago ...
    Questionnaire.objects.filter(pk=submitted.qs[0].pk).update(updated_at=timezone.now(), label="RT 01")
    assert score_services.stale_collections() == {period.pk: [submitted.pk]}
    run = score_services.score_collections(period, [submitted.pk])
    assert run.written == 0  # a label is not a scoring input
    assert score_services.stale_collections() == {}  # checked, so the sweep does not repeat it


def test_collection_home_shows_provisional_then_stored_scores(client_for, period, regency_a, bnnk_a, bnnp_a):
    collection = make_collection(regency_a, period)
    home = f"/survei/periode/{period.year}/{regency_a.code}/"
    assert "Skor muncul setelah" in client_for(bnnk_a).get(home).content.decode()
    qs = _fill(collection, bnnk_a)
    body = client_for(bnnk_a).get(home).content.decode()
    assert 'data-score-state="provisional"' in body and f"{EXPECTED:.2f}".replace(".", ",") in body
    workflow.collection_submit(collection=collection, user=bnnk_a)
    score_services.score_collections(period)
    body = client_for(bnnk_a).get(home).content.decode()
    assert 'data-score-state="stored"' in body and "Tanggap" in body
    workflow.questionnaire_exclude(questionnaire=qs[1], user=bnnp_a, reason="Ganda")
    workflow.collection_verify(collection=Collection.objects.get(pk=collection.pk), user=bnnp_a)
    score_services.score_collections(period)
    body = (
        client_for(bnnp_a).get(f"/survei/periode/{period.year}/{regency_a.code}/verifikasi/").content.decode()
    )
    assert "Skor terverifikasi" in body
    assert 'data-testid="score-diff"' in body and "Ganda" in body
    assert f"{EXPECTED:.2f}".replace(".", ",") in body  # the submitted score beside the verified one


def test_a_variable_that_moved_more_than_25_points_since_last_year_is_flagged(
    submitted, period, client_for, bnnp_a
):
    score_services.score_collections(period)
    earlier = make_period(regencies=[submitted.regency], year=period.year - 1)
    old = make_collection(submitted.regency, earlier)
    Collection.objects.filter(pk=old.pk).update(state=Collection.State.VERIFIED)
    Score.objects.create(
        collection=old,
        instrument=earlier.instrument,
        basis=Score.Basis.CURRENT,
        overall=50,
        reported=50,
        variables={"KK": 40.0, "KL": 60.0},  # KK is now 85.4 (+45.4); KL 62.5 (+2.5)
        input_hash="x",
        computed_at=timezone.now(),
        checked_at=timezone.now(),
    )
    url = f"/survei/periode/{period.year}/{submitted.regency.code}/verifikasi/"
    body = client_for(bnnp_a).get(url).content.decode()
    assert 'data-testid="score-jumps"' in body
    assert "Ketahanan Keluarga berubah +45,4 poin" in body or "Ketahanan Keluarga berubah +45.4 poin" in body
    assert "Kelembagaan berubah" not in body


def test_changed_scores_ask_for_one_report_render_per_burst(
    submitted, period, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from reports import render_tasks

    # scoring.signals.scores_stored is sent after commit; reports' receiver asks for the render.
    with (
        mock.patch.object(render_tasks.render_period_reports, "apply_async") as render,
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.recompute_period(period.pk)  # writes both scores
        tasks.recompute_period(period.pk)  # unchanged: asks for nothing
        Score.objects.all().delete()
        tasks.recompute_period(period.pk)  # written again, inside the same window
    assert render.call_count == 1
    assert render.call_args.args == ((period.pk,),)


def test_stored_scores_are_told_after_commit_with_their_collections(
    submitted, period, django_capture_on_commit_callbacks
):
    heard = []

    def receiver(sender, **kwargs):
        heard.append(kwargs)

    scoring_signals.scores_stored.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            tasks.recompute_chunk(period.pk, [submitted.pk])
        assert heard == []  # nothing before the commit
        for callback in callbacks:
            callback()
        tasks.recompute_chunk(period.pk, [submitted.pk])  # unchanged: says nothing
    finally:
        scoring_signals.scores_stored.disconnect(receiver)
    assert [(h["period_id"], h["collection_ids"]) for h in heard] == [(period.pk, [submitted.pk])]


def test_new_band_edges_recategorise_on_recompute(submitted, period):
    score_services.score_collections(period)
    assert current(submitted).category == "Tanggap"  # 73.96
    scheme = period.instrument.band_scheme
    Band.objects.filter(scheme=scheme, label="Cukup Tanggap").update(upper="75.00")
    Band.objects.filter(scheme=scheme, label="Tanggap").update(lower="75.01")
    run = score_services.score_collections(period)
    assert run.written == 2  # the instrument signature covers the bands
    assert current(submitted).category == "Cukup Tanggap"


def test_instrument_data_sees_an_edit_and_hands_each_caller_its_own_frames(period):
    # The frames are kept per process by the rows read (a period task reads them once per chunk).
    first = inputs.instrument_data(period.instrument)
    first.frames.questions["weight"] = 99.0
    again = inputs.instrument_data(period.instrument)
    assert again.signature == first.signature
    assert (again.frames.questions["weight"] != 99.0).all()
    likert = question(period.instrument, "q_likert")
    Question.objects.filter(pk=likert.pk).update(weight=likert.weight + 1)
    edited = inputs.instrument_data(period.instrument)
    assert edited.signature != first.signature
    weights = edited.frames.questions.set_index("question_id")["weight"]
    assert weights[likert.pk] == float(likert.weight + 1)


def test_pusat_recomputes_a_period_from_the_admin(
    submitted, period, client, django_capture_on_commit_callbacks
):
    from tests.conftest import make_user

    admin_user = make_user("root", "pusat", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    assert not Score.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/assessments/period/",
            {"action": "recompute_scores", "_selected_action": [period.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "akan dihitung ulang" in response.content.decode()
    assert current(submitted).overall == pytest.approx(EXPECTED)
