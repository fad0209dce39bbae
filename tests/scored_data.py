"""A scored scenario for report, export and API tests (two periods, three kab/kota in two provinces).

This year: Kota Malang (3573, Jawa Timur) verified 80.0; Kabupaten Malang (3507, Jawa Timur) submitted
65.0 (not ranked); Batanghari (1504, Jambi) final 55.0. Ranked: 3573 1 of 2, 1504 2 of 2.
Last year (all verified): 3507 70 (1), 1504 60 (2), 3573 50 (3) -> movement 3573 +2, 1504 0.
"""

from assessments.models import Collection
from tests.factories import make_collection, make_instrument, make_period, make_score

YEAR = 2031


def _collection(regency, period, state):
    collection = make_collection(regency, period)
    Collection.objects.filter(pk=collection.pk).update(state=state)
    collection.state = state
    return collection


def scored_period(regency_a, regency_b, regency_other, *, year: int = YEAR):
    instrument = make_instrument()
    previous = make_period(instrument, [regency_a, regency_b, regency_other], year=year - 1)
    for regency, overall in ((regency_b, 70.0), (regency_other, 60.0), (regency_a, 50.0)):
        c = _collection(regency, previous, "verified")
        make_score(c, overall, {"KK": overall, "KL": overall})
    period = make_period(instrument, [regency_a, regency_b, regency_other], year=year)
    ca = _collection(regency_a, period, "verified")
    make_score(ca, 80.0, {"KK": 90.0, "KL": 70.0}, indicators={"KK1": 95.0, "KK2": 85.0, "KL1": 70.0})
    make_score(ca, 78.0, {"KK": 88.0, "KL": 68.0}, basis="submitted")
    cb = _collection(regency_b, period, "submitted")
    make_score(cb, 65.0, {"KK": 60.0, "KL": 70.0})
    make_score(cb, 65.0, {"KK": 60.0, "KL": 70.0}, basis="submitted")
    co = _collection(regency_other, period, "final")
    make_score(co, 55.0, {"KK": 50.0, "KL": 60.0})
    return period
