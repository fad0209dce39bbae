"""Scores after lost work: a period recompute split into per-province chunks, a sweep that finds scores computed
with an older instrument signature (a band or weight edit whose task was lost), an exclusion the sweep sees,
score_mismatches as the check, and a period recompute request that never raises with the broker down."""

from unittest import mock

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from assessments import workflow
from assessments.models import Collection
from instruments.models import Band
from scoring import scheduling, tasks
from scoring import services as score_services
from scoring.models import Heartbeat, Score
from tests.factories import attach_sk, make_collection, make_period, question
from tests.factories import complete_questionnaire as _new
from tests.test_scores_db import broker_down  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _submit(collection, user, low=False):
    value = "1" if low else "5"
    made = [
        _new(collection, user, "keluarga", {"q_likert": value, "q_yesno": "1", "q_choice": "3"}),
        _new(collection, user, "keluarga", {"q_likert": "3", "q_yesno": "0"}),
        _new(collection, user, "instansi", {"q_likert": value, "q_number": "7", "q_likert2": "2"}),
    ]
    attach_sk(collection, question(collection.period.instrument, "q_yesno"))
    workflow.collection_submit(collection=collection, user=user)
    return made


@pytest.fixture
def two_provinces(regency_a, regency_b, regency_other, bnnk_a, bnnk_b, bnnk_other):
    period = make_period(regencies=[regency_a, regency_b, regency_other], year=2032)
    collections = {}
    for regency, user, low in (
        (regency_a, bnnk_a, False),
        (regency_b, bnnk_b, True),
        (regency_other, bnnk_other, False),
    ):
        collections[regency.code] = make_collection(regency, period)
        _submit(collections[regency.code], user, low=low)
    score_services.score_collections(period)
    return period, collections


def test_a_period_recompute_is_one_chunk_task_per_province(
    two_provinces, regency_a, regency_b, regency_other
):
    period, collections = two_provinces
    chunks = score_services.period_chunks(period)
    assert sorted(map(sorted, chunks)) == sorted(
        [
            sorted([collections[regency_a.code].pk, collections[regency_b.code].pk]),
            [collections[regency_other.code].pk],
        ]
    )
    with mock.patch.object(tasks.recompute_chunk, "delay") as send:
        assert tasks.recompute_period(period.pk) == {"chunks": 2, "collections": 3}
    assert sorted(sorted(call.args[1]) for call in send.call_args_list) == sorted(map(sorted, chunks))


def _edit_bands(period):
    """BNN pusat moves the band edges (the admin's save would queue a recompute: here it is 'lost')."""
    scheme = period.instrument.band_scheme
    for band in Band.objects.filter(scheme=scheme, upper__isnull=False).exclude(upper=100):
        band.upper = band.upper - 15
        band.save()


def test_a_band_edit_whose_recompute_was_lost_is_found_by_the_sweep(two_provinces):
    period, collections = two_provinces
    assert score_services.stale_collections() == {}
    assert score_services.score_mismatches(period) == []
    before = dict(Score.objects.filter(basis="current").values_list("collection_id", "category"))
    _edit_bands(period)
    # Nothing about the answers changed: only the instrument signature tells.
    wrong = score_services.score_mismatches(period)
    assert wrong, "the edit should move at least one category"
    stale = score_services.stale_collections()
    assert sorted(stale[period.pk]) == sorted(c.pk for c in collections.values())
    # A worker killed mid-period stored one chunk only: the other stays stale until the sweep.
    first = score_services.period_chunks(period)[0]
    tasks.recompute_chunk(period.pk, first)
    assert set(score_services.stale_collections()[period.pk]).isdisjoint(first)
    tasks.sweep_scores()
    assert score_services.stale_collections() == {}
    assert score_services.score_mismatches(period) == []
    after = dict(Score.objects.filter(basis="current").values_list("collection_id", "category"))
    assert after != before
    sweep = Heartbeat.objects.get(name="sweep")
    assert sweep.detail["collections"] >= 1


def test_rows_from_before_signatures_get_theirs_without_being_rewritten(two_provinces):
    period, _ = two_provinces
    Score.objects.update(signature="")
    assert len(score_services.stale_collections()[period.pk]) == 3
    computed = dict(Score.objects.values_list("pk", "computed_at"))
    run = score_services.score_collections(period)
    assert run.written == 0
    assert dict(Score.objects.values_list("pk", "computed_at")) == computed  # not rewritten
    assert score_services.stale_collections() == {}


def test_an_exclusion_is_seen_by_the_sweep(two_provinces, regency_a, bnnp_a):
    period, collections = two_provinces
    collection = collections[regency_a.code]
    target = collection.questionnaires.filter(group__code="keluarga").first()
    with mock.patch.object(scheduling, "request_collection_score"):  # the task was lost
        workflow.questionnaire_exclude(questionnaire=target, user=bnnp_a, reason="Isian ganda")
    assert score_services.score_mismatches(period) == [collection.pk]
    assert score_services.stale_collections() == {period.pk: [collection.pk]}
    tasks.sweep_scores()
    assert score_services.score_mismatches(period) == []


def test_score_mismatches_names_a_wrong_or_missing_score(two_provinces, regency_a, regency_b):
    period, collections = two_provinces
    a, b = collections[regency_a.code], collections[regency_b.code]
    Score.objects.filter(collection=a, basis="current").update(overall=1.0)
    Score.objects.filter(collection=b, basis="current").delete()
    assert sorted(score_services.score_mismatches(period)) == sorted([a.pk, b.pk])


def test_a_period_recompute_request_never_raises_with_the_broker_down(broker_down, two_provinces):  # noqa: F811
    period, _ = two_provinces
    scheduling.request_period_recompute(period.pk)  # logged, not raised: the sweep catches it


def test_the_band_scheme_admin_save_survives_a_broker_that_is_down(
    broker_down,  # noqa: F811
    two_provinces,
    django_capture_on_commit_callbacks,
):
    period, _ = two_provinces
    admin = site._registry[type(period.instrument.band_scheme)]
    request = RequestFactory().post("/admin/")
    request.user = mock.Mock()
    request._messages = mock.MagicMock()
    with django_capture_on_commit_callbacks(execute=True):
        admin.save_related(request, mock.Mock(instance=period.instrument.band_scheme), [], change=True)
    assert Collection.objects.filter(period=period).count() == 3
