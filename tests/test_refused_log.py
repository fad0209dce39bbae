"""A refused request (403, 404, 401 ...) logs one line "refused <status> <method> <path> user=<id>" on
django.request, without traceback (kotan/infra/logging.py RefusedRequestFilter); other errors keep theirs."""

from __future__ import annotations

import logging
import sys

import pytest
from django.urls import reverse

from kotan.infra.logging import RefusedRequestFilter


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def assert_one_line(caplog, expected: str) -> None:
    (record,) = request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == expected
    assert record.exc_info is None and record.exc_text is None
    assert "Traceback" not in logging.Formatter().format(record)


def test_permission_denied_is_one_line_without_traceback(client_for, bnnk_a, caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client_for(bnnk_a).get(reverse("accounts:import_upload"))
    assert response.status_code == 403
    assert_one_line(caplog, f"refused 403 GET /pengguna/impor/ user={bnnk_a.pk}")


def test_a_kab_kota_outside_the_scope_is_one_line(client_for, bnnk_a, regency_other, caplog):
    url = reverse("regions:regency", args=[regency_other.code])
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client_for(bnnk_a).get(url)
    assert response.status_code == 404  # kotan.access.get_regency_or_404
    assert_one_line(caplog, f"refused 404 GET {url} user={bnnk_a.pk}")


def test_anonymous_api_request_is_one_line_without_its_query_string(client, caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client.get("/api/periods?token=rahasia")
    assert response.status_code == 401
    assert_one_line(caplog, "refused 401 GET /api/periods user=anonymous")


def test_other_errors_keep_their_record():
    """Only refusals are rewritten: a 404 record carrying another exception, or a 500, passes as it is."""
    log_filter = RefusedRequestFilter()
    try:
        raise ValueError("bug")
    except ValueError:
        exc_info = sys.exc_info()
    for status in (404, 500):
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Boom: %s", ("/x",), exc_info
        )
        record.status_code, record.request = status, object()
        assert log_filter.filter(record) is True
        assert record.getMessage() == "Boom: /x" and record.exc_info is exc_info


def test_settings_attach_the_filter_to_django_request():
    assert any(isinstance(f, RefusedRequestFilter) for f in logging.getLogger("django.request").filters)
