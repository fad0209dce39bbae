"""The report card's engine work (what moves the score most, per-group scores) runs once per set of
inputs: cached under the stored score's input fingerprint, shared by the page and the PDF render."""

from unittest import mock

import pytest
from django.core.cache import cache

from assessments import workflow
from scoring import gains as gains_module
from scoring import services as score_services
from tests.factories import make_collection, make_period
from tests.test_scores_db import _fill

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scored(regency_a, bnnk_a):
    period = make_period(regencies=[regency_a], year=2041)
    collection = make_collection(regency_a, period)
    collection.qs = _fill(collection, bnnk_a)
    workflow.collection_submit(collection=collection, user=bnnk_a)
    score_services.score_collections(period)
    return collection


def test_computed_once_per_fingerprint_and_again_when_inputs_change(scored, bnnp_a):
    period = scored.period
    real = gains_module.gains_and_groups
    with mock.patch.object(gains_module, "gains_and_groups", side_effect=real) as engine:
        first = gains_module.collection_gains(scored.pk, period.pk, period.instrument)
        again = gains_module.collection_gains(scored.pk, period.pk, period.instrument)
        assert engine.call_count == 1
        assert list(again.gains["gain"]) == list(first.gains["gain"])
        workflow.questionnaire_exclude(questionnaire=scored.qs[1], user=bnnp_a, reason="Ganda")
        score_services.score_collections(period)  # new fingerprint
        gains_module.collection_gains(scored.pk, period.pk, period.instrument)
        assert engine.call_count == 2


def test_report_card_uses_the_cached_engine_result(scored, client_for, bnnk_a):
    period = scored.period
    gains_module.collection_gains(scored.pk, period.pk, period.instrument)  # as the Celery render does
    with mock.patch.object(gains_module, "gains_and_groups") as engine:
        response = client_for(bnnk_a).get(f"/laporan/kabkota/{scored.regency.code}/?tahun={period.year}")
    assert response.status_code == 200
    assert engine.call_count == 0
    assert response.context["period"]["year"] == period.year
    gains = response.context["gains"]
    assert gains and gains[0]["gain"] > 0 and gains[0]["name"]  # served from the cache
