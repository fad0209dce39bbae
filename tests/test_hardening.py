"""Hardening as a client meets it: the CSP on every page, login throttling, session expiry, and uploaded
evidence that no static or media URL serves. (Production-only settings are checked in test_settings.)
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import make_collection
from tests.test_evidence import PDF, upload

pytestmark = pytest.mark.django_db

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


# --- Content-Security-Policy ---------------------------------------------------------------------


def test_pages_carry_a_strict_csp(client, client_for, bnnk_a):
    for response in (client.get("/akun/login/"), client_for(bnnk_a).get("/")):
        assert response.status_code == 200
        csp = policy(response)
        assert csp["default-src"] == ["'self'"]
        assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
        for directive in ("script-src", "style-src"):
            assert "'self'" in csp[directive]
            assert "'unsafe-inline'" not in csp[directive] and "'unsafe-eval'" not in csp[directive]
        assert all(src.startswith("'") or src == "data:" for values in csp.values() for src in values)


def test_a_nonce_in_a_page_is_the_one_in_the_header(client_for, bnnk_a):
    response = client_for(bnnk_a).get("/notifikasi/")  # has a nonce'd <style> block
    nonce = re.search(r'<style nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in policy(response)["style-src"]


def test_templates_have_no_inline_script_handler_or_style_attribute():
    # The policy refuses them; this finds them before a browser does.
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.is_relative_to(TEMPLATES / "reports" / "pdf"):
            continue  # rendered into PDF files on the server, never shown by a browser
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)",
            r"<style(?![^>]*\bnonce=)",
            r"\sstyle=",
            r"\son[a-z]+=",
        ):
            offenders += [
                f"{path.relative_to(TEMPLATES)}: {m.group(0)!r}" for m in re.finditer(pattern, text)
            ]
    assert offenders == []


# --- login throttling (django-axes) --------------------------------------------------------------


def login(client, username, password, **extra):
    return client.post("/akun/login/", {"username": username, "password": password}, **extra)


def test_failures_below_the_limit_still_let_the_right_password_in(client, bnnk_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "bnnk_a", "salah").status_code == 200
    response = login(client, "bnnk_a", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bnnk_a.pk)


def test_lockout_is_429_in_indonesian_for_that_user_only(client, bnnk_a, bnnk_b, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "bnnk_a", "salah")
    response = login(client, "bnnk_a", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Terlalu banyak percobaan masuk" in body and "dikunci sementara" in body
    assert "_auth_user_id" not in client.session
    # A colleague at the same office (same address) is not locked out.
    other = Client()
    assert login(other, "bnnk_b", PASSWORD).status_code == 302


def test_lockout_ends_after_the_cooloff(client, bnnk_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "bnnk_a", "salah")
    assert login(client, "bnnk_a", PASSWORD).status_code == 429
    later = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    AccessAttempt.objects.update(attempt_time=later)
    assert login(client, "bnnk_a", PASSWORD).status_code == 302


def test_behind_the_proxy_each_client_address_counts_separately(client, bnnk_a, settings):
    # nginx (loopback) passes the client's address in X-Real-IP.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "bnnk_a", "salah", HTTP_X_REAL_IP="203.0.113.5")
    assert login(client, "bnnk_a", PASSWORD, HTTP_X_REAL_IP="203.0.113.5").status_code == 429
    assert login(Client(), "bnnk_a", PASSWORD, HTTP_X_REAL_IP="203.0.113.6").status_code == 302


def test_a_garbage_x_real_ip_falls_back_to_the_peer_address(client, bnnk_a, settings):
    # axes keeps the address in an inet column on PostgreSQL; garbage there would be a 500.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert login(client, "bnnk_a", "salah", HTTP_X_REAL_IP="bukan-alamat").status_code in (200, 429)
    assert login(client, "bnnk_a", PASSWORD, HTTP_X_REAL_IP="999.1.1.1").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_a_client_not_behind_the_proxy_cannot_dodge_the_lock_with_x_real_ip(client, bnnk_a, settings):
    outside = {"REMOTE_ADDR": "198.51.100.7"}
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, "bnnk_a", "salah", HTTP_X_REAL_IP=f"10.0.0.{n}", **outside)
    response = login(client, "bnnk_a", PASSWORD, HTTP_X_REAL_IP="10.0.0.99", **outside)
    assert response.status_code == 429


@pytest.mark.parametrize(
    "username",
    ["x" * 5000, "' OR 1=1 --", "<script>alert(1)</script>", "bnnk_a\x00", "bnnk_a\u202e", ""],
)
def test_odd_usernames_never_crash_the_login(client, bnnk_a, username, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = login(client, username, "salah")
        assert response.status_code in (200, 400, 429)
    assert "<script>alert(1)</script>" not in response.content.decode()
    # A 5,000-character name is counted under its first 150 characters (axes' column holds 255).
    assert all(len(name) <= 150 for name in AccessAttempt.objects.values_list("username", flat=True))


def test_broken_utf8_in_the_login_form_is_not_a_500(client, bnnk_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(
            "/akun/login/",
            b"username=bnnk_a%FF%FE&password=%C3%28",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code in (200, 400, 429)
    assert "_auth_user_id" not in client.session


# --- sessions ------------------------------------------------------------------------------------


def test_session_ends_after_eight_hours_and_its_cookie_is_not_for_scripts(client, bnnk_a):
    login(client, "bnnk_a", PASSWORD)
    assert 0 < client.session.get_expiry_age() <= 8 * 60 * 60
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) <= 8 * 60 * 60


# --- uploaded files are never static -------------------------------------------------------------


def test_uploaded_evidence_is_not_served_by_the_static_or_media_urls(
    client_for, regency_a, bnnk_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    collection = make_collection(regency_a)
    doc = upload(collection, bnnk_a, "sk.pdf", PDF)
    stored = Path(settings.MEDIA_ROOT) / doc.file.name
    assert stored.read_bytes() == PDF
    client = client_for(bnnk_a)
    for url in (
        f"/media/{doc.file.name}",
        f"{settings.MEDIA_URL}{doc.file.name}",
        f"/static/{doc.file.name}",
        f"/static/../media/{doc.file.name}",
        f"/static/%2e%2e/media/{doc.file.name}",
        f"/static/{stored}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))
    with pytest.raises(Resolver404):
        resolve(f"/media/{doc.file.name}")
    # Only the scope-checked view hands it out.
    assert client.get(f"/survei/bukti/{doc.pk}/unduh/").status_code == 200


def test_media_root_is_outside_every_static_folder():
    media = Path(django_settings.MEDIA_ROOT).resolve()
    static_dirs = [Path(django_settings.STATIC_ROOT), *map(Path, django_settings.STATICFILES_DIRS)]
    for folder in static_dirs:
        folder = folder.resolve()
        assert not media.is_relative_to(folder) and not folder.is_relative_to(media)
    assert not django_settings.MEDIA_URL.startswith(django_settings.STATIC_URL)


def test_evidence_download_keeps_its_own_sandbox_policy(client_for, regency_a, bnnk_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    doc = upload(make_collection(regency_a), bnnk_a, "sk.pdf", PDF)
    response = client_for(bnnk_a).get(f"/survei/bukti/{doc.pk}/unduh/")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- error pages in Indonesian -------------------------------------------------------------------


def test_not_found_and_forbidden_pages_are_in_indonesian(client_for, regency_a, bnnk_a, bnnp_a):
    collection = make_collection(regency_a)
    response = client_for(bnnk_a).get("/survei/tidak-ada/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()
    # A refusal with a reason shows the reason.
    url = f"/survei/periode/{collection.period.year}/{regency_a.code}/excel/unggah/"
    response = client_for(bnnp_a).get(url)
    assert response.status_code == 403
    assert "Hanya petugas BNNK" in response.content.decode()


def test_lockout_page_names_the_configured_wait(client, bnnk_a, settings):
    settings.AXES_COOLOFF_TIME = 0.5  # hours
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "bnnk_a", "salah")
    body = login(client, "bnnk_a", PASSWORD).content.decode()
    assert "Tunggu 30 menit" in body
