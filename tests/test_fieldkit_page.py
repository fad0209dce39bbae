"""The field kit's pages in the browser's hands (issue 15, client side): the field page a BNNK opens before
a trip (its collections, the client's translated texts), the explanation other roles get, the service
worker at the site's root (hashed static URLs that exist, its headers, what it never intercepts) and the web
manifest (valid JSON, icons that exist), and what every signed-in page carries for the field kit."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from assessments.fieldkit import pwa
from assessments.models import Period
from tests.factories import make_collection

pytestmark = pytest.mark.django_db

FIELD_URL = "/survei/lapangan/"


def strings_of(response) -> dict:
    match = re.search(
        rb'<script id="fk-strings" type="application/json">(.*?)</script>', response.content, re.S
    )
    assert match, "the page carries the client's texts as JSON"
    return json.loads(match.group(1))


def test_bnnk_sees_its_collections_with_prepare_buttons(client_for, bnnk_a, regency_a, regency_b):
    mine = make_collection(regency_a)
    other = make_collection(regency_b, mine.period)  # another kab/kota of the same period
    synthetic = make_collection(regency_a, year=mine.period.year - 5)
    Period.objects.filter(pk=synthetic.period_id).update(is_synthetic=True)
    response = client_for(bnnk_a).get(reverse("assessments:fieldkit_home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-fk-prepare="{mine.period.year}/{regency_a.code}"' in body
    assert f'data-fk-prepare="{other.period.year}/{regency_b.code}"' not in body
    assert (
        f'data-fk-prepare="{synthetic.period.year}/{regency_a.code}"' not in body
    )  # demo periods are not fieldwork
    for element in (
        'id="fk-app"',
        'id="fk-quota"',
        'id="fk-group"',
        'id="fk-new"',
        'id="fk-form"',
        'id="fk-queue"',
        'id="fk-sync"',
        'id="fk-sync-status"',
        'id="fk-export-xlsx"',
        'id="fk-export-json"',
        'id="fk-login"',
    ):
        assert element in body
    assert f'data-session-url="{FIELD_URL}sesi.json"' in body
    texts = strings_of(response)
    assert texts["prepared"] == "Paket tersimpan: %(kb)s KB · berlaku sampai %(date)s"
    assert texts["quota_full"].startswith("Penyimpanan perangkat penuh")


def test_the_client_texts_follow_the_language(client_for, bnnk_a, regency_a):
    make_collection(regency_a)
    client = client_for(bnnk_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    texts = strings_of(client.get(FIELD_URL))
    assert texts["prepared"] == "Package stored: %(kb)s KB · valid until %(date)s"
    assert texts["state_synced"] == "Sent"


def test_a_bnnk_without_a_period_is_told_so(client_for, bnnk_a):
    response = client_for(bnnk_a).get(FIELD_URL)
    assert response.status_code == 200
    assert b'data-testid="fieldkit-no-collection"' in response.content
    assert b"data-fk-prepare=" not in response.content


@pytest.mark.parametrize("role", ["bnnp_a", "pusat"])
def test_other_roles_get_an_explanation_not_an_error(client_for, request, role, regency_a):
    make_collection(regency_a)
    response = client_for(request.getfixturevalue(role)).get(FIELD_URL)
    assert response.status_code == 200
    assert b'data-testid="fieldkit-not-bnnk"' in response.content
    assert b'id="fk-app"' not in response.content


def test_signed_in_pages_carry_the_user_badge_and_manifest(client_for, bnnk_a):
    body = client_for(bnnk_a).get(reverse("home")).content.decode()
    assert f'<meta name="kotan-user" content="{bnnk_a.pk}">' in body
    assert 'id="fk-badge"' in body and f'href="{FIELD_URL}#antrean"' in body
    assert "{n} kuesioner belum terkirim" in body
    assert "data-fk-logout" in body
    assert f'href="{reverse("web_manifest")}"' in body and 'data-sw-url="/sw.js"' in body
    assert f'href="{FIELD_URL}" data-testid="nav-fieldkit"' in body


@pytest.mark.parametrize("role", ["bnnp_a", "pusat"])
def test_only_a_bnnk_registers_the_service_worker(client_for, request, role):
    body = client_for(request.getfixturevalue(role)).get(reverse("home")).content.decode()
    assert "js/fieldkit/badge.js" in body and "data-fk-logout" in body  # the queue's cleanup stays
    assert "data-sw-url" not in body


def test_the_collection_page_links_the_field_kit_for_its_bnnk_only(client_for, bnnk_a, bnnp_a, regency_a):
    collection = make_collection(regency_a)
    url = reverse("assessments:collection", args=[collection.period.year, regency_a.code])
    link = f'href="{FIELD_URL}" data-testid="fieldkit-link"'
    assert link in client_for(bnnk_a).get(url).content.decode()
    assert link not in client_for(bnnp_a).get(url).content.decode()


def test_anonymous_pages_carry_no_user(client):
    body = client.get(reverse("login")).content.decode()
    assert 'name="kotan-user"' not in body and 'id="fk-badge"' not in body and "sw.js" not in body


@pytest.fixture
def collected(settings, tmp_path):
    """The service worker's files and the icons copied from static/ and collected under hashed names."""
    source = tmp_path / "src"
    for path in [*pwa.PRECACHE, *(icon for icon, _size, _purpose in pwa.ICONS)]:
        target = source / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(finders.find(path), target)
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "kotan.infra.static.HashedStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return Path(settings.STATIC_ROOT)


def worker_config(response) -> dict:
    match = re.search(r"const CONFIG = (\{.*?\});", response.content.decode(), re.S)
    assert match
    return json.loads(match.group(1))


def test_service_worker_lists_the_hashed_static_files_that_exist(collected):
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    config = worker_config(response)
    assert len(config["assets"]) == len(pwa.PRECACHE)
    for url, name in zip(config["assets"], pwa.PRECACHE, strict=True):
        assert url != settings.STATIC_URL + name  # the hashed name, kept a year by the browser
        assert (collected / url.removeprefix(settings.STATIC_URL)).is_file()
    assert config["field_url"] == FIELD_URL
    assert Client().get(config["offline_url"]).status_code == 200  # public: cached for whoever is offline


def test_service_worker_leaves_posts_and_json_to_the_network():
    body = Client().get("/sw.js").content.decode()
    assert 'if (request.method !== "GET") return;' in body
    assert 'url.pathname.endsWith(".json")' in body


def test_a_new_static_file_is_a_new_worker(collected, tmp_path):
    first = worker_config(Client().get("/sw.js"))
    (tmp_path / "src" / "js" / "fieldkit" / "app.js").write_text("// changed\n")
    call_command("collectstatic", interactive=False, verbosity=0)
    second = worker_config(Client().get("/sw.js"))
    assert second["version"] != first["version"]


def test_manifest_is_valid_with_icons_that_exist(collected):
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "KOTAN" and data["start_url"] == FIELD_URL and data["display"] == "standalone"
    css = (Path(settings.BASE_DIR) / "static" / "css" / "kotan.css").read_text()
    assert f".bg-kotan {{ background-color: {data['theme_color']}; }}" in css  # the navbar's colour
    purposes = {icon["purpose"] for icon in data["icons"]}
    assert purposes == {"any", "maskable"}
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        path = collected / icon["src"].removeprefix(settings.STATIC_URL)
        assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = icon["sizes"].split("x")
        assert int.from_bytes(path.read_bytes()[16:20]) == int(width)  # the PNG's IHDR width
        assert int.from_bytes(path.read_bytes()[20:24]) == int(height)
