"""Pages and JSON are sent gzipped to browsers that accept it (slow connections); files and short
answers are not. kotan.infra.compression.TextGZipMiddleware."""

import gzip
import re

import pytest
from django.urls import reverse

from tests.scored_data import YEAR, scored_period

pytestmark = pytest.mark.django_db
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def period(regency_a, regency_b, regency_other):
    return scored_period(regency_a, regency_b, regency_other)


def test_a_dashboard_is_sent_gzipped_and_unpacks_to_the_page(client_for, pusat, period):
    client = client_for(pusat)
    plain = client.get(reverse("reports:national"), {"tahun": YEAR})
    packed = client.get(reverse("reports:national"), {"tahun": YEAR}, **GZIP)
    assert "Content-Encoding" not in plain and plain["Vary"].count("Accept-Encoding") == 1
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content).decode()
    assert int(packed["Content-Length"]) == len(packed.content) < len(page) / 3
    # the same page, but for the CSRF token (masked differently in each response)
    assert _without_csrf(page) == _without_csrf(plain.content.decode())
    assert "Dasbor nasional" in page and "Kota Malang" in page


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_files_and_short_answers_are_not_compressed(client_for, pusat, bnnk_a, period):
    client = client_for(pusat)
    xlsx = client.get(reverse("reports:ranking_xlsx", args=[YEAR]), **GZIP)
    assert xlsx.status_code == 200 and "Content-Encoding" not in xlsx
    csv = client.get(reverse("reports:ranking_csv", args=[YEAR]), **GZIP)
    assert csv.status_code == 200 and csv["Content-Encoding"] == "gzip"  # text: compressed
    health = client.get("/healthz", **GZIP)
    assert "Content-Encoding" not in health and health.content == b"ok"
