"""load_demo_history: earlier synthetic periods, verified and scored by the engine for every kab/kota, with
their intervals and rank intervals.
(One year back instead of three, to keep the test quick; the code path is the same.)"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Collection, Period, Questionnaire, SubmissionSnapshot
from regions.models import Regency
from scoring import intervals, ranks, reliability_store
from scoring.management.commands import load_demo_history
from scoring.models import RankIntervals, ReliabilityReport, Score

pytestmark = [pytest.mark.django_db, pytest.mark.once]


@pytest.fixture
def one_year(monkeypatch, settings):
    settings.DEBUG = True
    monkeypatch.setattr(load_demo_history, "YEARS_BACK", 1)


def test_synthetic_year_verified_scored_and_ranked_for_every_kab_kota(one_year, client_for, pusat):
    call_command("load_demo_history", stdout=io.StringIO())
    year = timezone.localdate().year - 1
    period = Period.objects.get(year=year)
    assert period.is_synthetic and "sintetis" in period.name
    assert period.instrument.version == load_demo_history.DEMO_VERSION
    regencies = Regency.objects.count()
    assert regencies == 514
    assert period.participants.count() == regencies
    collections = Collection.objects.filter(period=period)
    assert collections.count() == regencies
    assert set(collections.values_list("state", flat=True)) == {"verified"}
    current = Score.objects.filter(collection__period=period, basis="current")
    submitted = Score.objects.filter(collection__period=period, basis="submitted")
    assert current.count() == submitted.count() == regencies
    assert not current.filter(quota_met=False).exists()
    assert SubmissionSnapshot.objects.filter(collection__period=period).count() == regencies
    # Corrections after submitting: some kab/kota's verified score differs from the submitted one.
    sub = dict(submitted.values_list("collection_id", "overall"))
    changed = sum(
        1 for cid, overall in current.values_list("collection_id", "overall") if overall != sub[cid]
    )
    assert 0.2 * regencies < changed < 0.5 * regencies
    # Categories spread over the bands; the dashboard ranks all 514 and labels the data synthetic.
    assert current.values("category").distinct().count() >= 3
    # Every score carries its bootstrap interval, and the period its rank intervals of this ranked set.
    assert not Score.objects.filter(collection__period=period).exclude(ci__has_key="replicates").exists()
    rank_row = RankIntervals.objects.get(period=period)
    assert len(rank_row.data) == regencies and rank_row.replicates == 1000
    assert rank_row.fingerprint == intervals.ranked_frame_fingerprint(ranks.ranked_set(period))
    # The reliability page of a demo year is ready on `make run` (what the debounced task does on the site).
    report = ReliabilityReport.objects.get(period=period)
    assert report.fingerprint == reliability_store.fingerprint(period) and report.data["questionnaires"] > 0
    response = client_for(pusat).get(reverse("reports:national"), {"tahun": year})
    assert response.context["totals"]["ranked"] == regencies
    assert "Data sintetis" in response.content.decode()


def test_running_again_changes_nothing(one_year):
    call_command("load_demo_history", stdout=io.StringIO())
    counts = (Questionnaire.objects.count(), Answer.objects.count(), Score.objects.count())
    out = io.StringIO()
    call_command("load_demo_history", stdout=out)
    assert "already present" in out.getvalue()
    assert (Questionnaire.objects.count(), Answer.objects.count(), Score.objects.count()) == counts


def test_a_real_period_of_that_year_is_left_alone(one_year):
    from tests.factories import make_period

    real = make_period(year=timezone.localdate().year - 1)
    call_command("load_demo_history", stdout=io.StringIO())
    real.refresh_from_db()
    assert not real.is_synthetic and not Collection.objects.filter(period=real).exists()


def test_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo_history")
