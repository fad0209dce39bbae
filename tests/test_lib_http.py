"""kotan/lib/http.py: request parameters as database-sized integers, and which requests want JSON."""

import pytest
from django.test import RequestFactory

from kotan.lib.http import MAX_DB_INT, small_int, wants_json


@pytest.mark.parametrize(
    ("raw", "minimum", "expected"),
    [
        ("2026", 0, 2026),
        (" 7 ", 0, 7),
        ("0", 0, 0),
        ("0", 1, None),
        ("-1", 0, None),
        ("abc", 0, None),
        ("1e3", 0, None),
        (None, 0, None),
        (str(MAX_DB_INT), 0, MAX_DB_INT),
        (str(MAX_DB_INT + 1), 0, None),
        ("1" * 13, 0, None),
    ],
)
def test_small_int(raw, minimum, expected):
    assert small_int(raw, minimum=minimum) == expected


def test_wants_json_by_accept_or_fetch_header():
    rf = RequestFactory()
    assert wants_json(rf.get("/", headers={"Accept": "application/json"}))
    assert wants_json(rf.get("/", headers={"X-Requested-With": "XMLHttpRequest"}))
    assert not wants_json(rf.get("/", headers={"Accept": "text/html"}))
