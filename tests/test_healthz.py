"""The health check: anonymous "ok" without touching the database; GET and HEAD only."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_says_ok_to_anyone_without_queries(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


def test_it_says_ok_to_a_logged_in_user(client, django_user_model):
    client.force_login(django_user_model.objects.create(username="sehat"))
    assert client.get("/healthz").content == b"ok"


def test_it_answers_head(client):
    assert client.head("/healthz").status_code == 200


def test_it_rejects_post(client):
    assert client.post("/healthz").status_code == 405
