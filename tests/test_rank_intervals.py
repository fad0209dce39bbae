"""Rank intervals: the pure ranking of replicates (hand cases, ties as the ranking's), and in the database
the stored intervals of each score, their backfill by the sweep, and the period's RankIntervals kept by
the rank task (stored, skipped when unchanged, moved by a verify, restored by the sweep)."""

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import workflow
from assessments.models import Collection
from scoring import intervals, ranks, tasks
from scoring import services as score_services
from scoring.models import RankIntervals, Score
from tests.test_score_recovery import two_provinces  # noqa: F401  (fixture)
from tests.test_scores_db import broker_down  # noqa: F401  (fixture)

# --- pure ----------------------------------------------------------------------------------------------


def test_clearly_separated_kab_kota_have_zero_width_rank_intervals():
    rng = np.random.default_rng(1)
    reps = {1: 90 + rng.random(200), 2: 50 + rng.random(200), 3: 10 + rng.random(200)}
    out = intervals.rank_intervals(reps, {1: "P", 2: "P", 3: "Q"})
    assert out == {
        1: {"national": [1, 1], "province": [1, 1]},
        2: {"national": [2, 2], "province": [2, 2]},
        3: {"national": [3, 3], "province": [1, 1]},
    }


def test_overlapping_kab_kota_get_wider_rank_intervals():
    rng = np.random.default_rng(2)
    reps = {
        1: 60 + 5 * rng.standard_normal(400),
        2: 59 + 5 * rng.standard_normal(400),
        3: 10 + rng.random(400),
    }
    out = intervals.rank_intervals(reps, {1: "P", 2: "P", 3: "P"})
    assert out[1]["national"] == [1, 2] and out[2]["national"] == [1, 2]
    assert out[3]["national"] == [3, 3]


def test_replicate_ranks_share_the_lowest_rank_of_a_tie_like_the_ranking():
    values = np.array([[5.0, 1.0], [5.0 + 1e-9, 3.0], [3.0, 3.0], [7.0, 2.0]])
    assert intervals.replicate_ranks(values).tolist() == [[2, 4], [2, 1], [4, 1], [1, 3]]
    rng = np.random.default_rng(3)
    many = rng.integers(0, 20, size=(60, 30)).astype(float)
    expected = pd.DataFrame(many).rank(ascending=False, method="min").astype(int).to_numpy()
    assert np.array_equal(intervals.replicate_ranks(many), expected)


def test_replicate_counts_must_agree():
    with pytest.raises(ValueError, match="replicate counts differ"):
        intervals.rank_intervals({1: np.zeros(3), 2: np.zeros(4)}, {1: "P", 2: "P"})


# --- stored with the score -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_stored_score_carries_its_intervals_and_replicates(two_provinces):  # noqa: F811
    period, _ = two_provinces
    rows = Score.objects.filter(collection__period=period)
    assert rows.count() == 6  # three kab/kota, current and submitted
    for score in rows:
        lo, hi = score.ci["overall"]
        assert lo <= score.overall <= hi and hi > lo
        assert score.ci["reported"] == [round(lo, 2), round(hi, 2)]  # the factory scheme is 0-100, 2 dp
        assert set(score.ci["variables"]) == set(score.variables)
        assert (score.ci["replicates"], score.ci["seed"], score.ci["level"]) == (
            1000,
            intervals.BASE_SEED,
            0.95,
        )
        reps = intervals.replicates_from_bytes(score.replicates)
        assert len(reps) == 1000
        assert np.percentile(reps, [2.5, 97.5]) == pytest.approx([lo, hi], abs=1e-3)  # float32 storage


@pytest.mark.django_db
def test_a_collection_scored_alone_or_with_its_period_gets_the_same_replicates(two_provinces):  # noqa: F811
    period, collections = two_provinces
    cid = collections["3507"].pk
    with_period = bytes(Score.objects.get(collection_id=cid, basis="current").replicates)
    Score.objects.all().delete()
    score_services.score_collections(period, [cid])
    assert bytes(Score.objects.get(collection_id=cid, basis="current").replicates) == with_period


@pytest.mark.django_db
def test_rows_from_before_the_intervals_are_found_by_the_sweep_and_filled(two_provinces):  # noqa: F811
    period, _ = two_provinces
    before = dict(Score.objects.values_list("pk", "ci"))
    Score.objects.update(ci={}, replicates=b"")
    assert sorted(score_services.stale_collections()[period.pk]) == sorted(
        period.collections.values_list("pk", flat=True)
    )
    run = score_services.score_collections(period)
    assert run.written == 6  # same inputs, but the rows had no intervals
    assert dict(Score.objects.values_list("pk", "ci")) == before  # same seed: the same intervals
    assert score_services.stale_collections() == {}
    assert score_services.score_collections(period).written == 0


@pytest.mark.django_db
def test_rows_of_another_replicate_count_are_recomputed_with_the_current_one(two_provinces):  # noqa: F811
    period, collections = two_provinces
    cid = collections["3573"].pk
    row = Score.objects.get(collection_id=cid, basis="current")
    row.ci = {**row.ci, "replicates": 200}
    row.replicates = bytes(row.replicates)[: 200 * 4]
    row.save()
    assert score_services.stale_collections() == {period.pk: [cid]}
    run = score_services.score_collections(period, [cid])
    assert (run.written, run.unchanged) == (1, 1)  # the current row; the submitted one was complete
    row.refresh_from_db()
    assert row.ci["replicates"] == 1000 and len(row.replicates) == 4000
    assert score_services.stale_collections() == {}


# --- the period's rank intervals ---------------------------------------------------------------------------


def _verify(collection, user, capture):
    with capture(execute=True):
        workflow.collection_verify(collection=Collection.objects.get(pk=collection.pk), user=user)


@pytest.mark.django_db
def test_the_rank_task_stores_skips_and_follows_a_verify(
    two_provinces,  # noqa: F811
    bnnp_a,
    bnnp_other,
    django_capture_on_commit_callbacks,
):
    period, collections = two_provinces
    assert tasks.rank_intervals(period.pk) == {"stored": 0}  # nobody verified yet: an empty ranked set
    _verify(collections["3573"], bnnp_a, django_capture_on_commit_callbacks)
    _verify(collections["1504"], bnnp_other, django_capture_on_commit_callbacks)
    # The verifies' score tasks asked for the rank intervals: already stored.
    row = RankIntervals.objects.get(period=period)
    a, other = str(collections["3573"].pk), str(collections["1504"].pk)
    assert set(row.data) == {a, other} and row.replicates == 1000
    assert row.fingerprint == intervals.ranked_frame_fingerprint(ranks.ranked_set(period))
    assert row.data[other]["province"] == [1, 1]  # alone in Jambi
    assert row.data[a]["province"] == [1, 1]
    computed = row.computed_at

    with CaptureQueriesContext(connection) as ctx:
        assert tasks.rank_intervals(period.pk) == {"unchanged": 2}
    assert len(ctx.captured_queries) <= 3  # the period, the ranked set, the stored fingerprint
    assert RankIntervals.objects.get(period=period).computed_at == computed

    _verify(collections["3507"], bnnp_a, django_capture_on_commit_callbacks)
    row = RankIntervals.objects.get(period=period)
    assert len(row.data) == 3 and row.computed_at > computed
    # The same as ranking the stored replicates by hand (three questionnaires each: wide ranges).
    reps = {
        cid: intervals.replicates_from_bytes(blob)
        for cid, blob in Score.objects.filter(collection__period=period, basis="current").values_list(
            "collection_id", "replicates"
        )
    }
    provinces = dict(period.collections.values_list("pk", "regency__province_id"))
    assert row.data == {str(c): v for c, v in intervals.rank_intervals(reps, provinces).items()}
    # Kabupaten Malang answered low: its range reaches last place nationally and in Jawa Timur.
    assert row.data[str(collections["3507"].pk)]["national"][1] == 3
    assert row.data[str(collections["3507"].pk)]["province"][1] == 2
    assert RankIntervals.objects.count() == 1


@pytest.mark.django_db
def test_a_ranked_score_without_replicates_waits_for_the_sweep(two_provinces):  # noqa: F811
    period, collections = two_provinces
    Collection.objects.filter(period=period).update(state=Collection.State.VERIFIED)
    Score.objects.filter(collection=collections["3573"]).update(ci={}, replicates=b"")
    assert tasks.rank_intervals(period.pk) == {"waiting": 1}
    assert not RankIntervals.objects.filter(period=period).exists()
    tasks.sweep_scores()  # fills the intervals and then the rank intervals
    row = RankIntervals.objects.get(period=period)
    assert len(row.data) == 3 and row.fingerprint == intervals.ranked_frame_fingerprint(
        ranks.ranked_set(period)
    )


@pytest.mark.django_db
def test_a_lost_rank_request_is_caught_by_the_sweep(two_provinces):  # noqa: F811
    period, _ = two_provinces
    Collection.objects.filter(period=period).update(state=Collection.State.FINAL)  # no task ran
    assert not RankIntervals.objects.exists()
    done = tasks.sweep_scores()
    assert done[period.pk]["rank_intervals"] == 3
    assert set(RankIntervals.objects.get(period=period).data) == {
        str(pk) for pk in period.collections.values_list("pk", flat=True)
    }
    assert period.pk not in tasks.sweep_scores()  # unchanged: nothing to do


@pytest.mark.django_db
def test_asking_for_rank_intervals_never_raises_with_the_broker_down(broker_down, two_provinces):  # noqa: F811
    period, _ = two_provinces
    tasks.request_rank_intervals(period.pk)
    assert not RankIntervals.objects.exists()


@pytest.mark.django_db
def test_a_reopen_takes_the_kab_kota_out_of_the_rank_intervals(
    two_provinces,  # noqa: F811
    pusat,
    django_capture_on_commit_callbacks,
):
    period, collections = two_provinces
    Collection.objects.filter(period=period).update(state=Collection.State.VERIFIED)
    assert tasks.rank_intervals(period.pk) == {"stored": 3}
    before = RankIntervals.objects.get(period=period).fingerprint
    reopened = collections["3507"]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.collection_reopen(
            collection=Collection.objects.get(pk=reopened.pk), user=pusat, reason="Periksa ulang"
        )
    row = RankIntervals.objects.get(period=period)  # the reopen's score task asked for them again
    assert str(reopened.pk) not in row.data and len(row.data) == 2
    assert row.fingerprint != before
    assert row.data[str(collections["3573"].pk)]["province"] == [1, 1]  # alone in Jawa Timur now
