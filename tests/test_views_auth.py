"""Login, logout, throttling, password reset and the language switch."""

import re

import pytest
from django.core import mail

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_in_indonesian(client):
    response = client.get("/akun/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Masuk ke KOTAN" in body
    assert 'lang="id"' in body
    assert "Lupa kata sandi?" in body


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/login/")


def test_login_lands_on_home(client, bnnk_a):
    response = client.post("/akun/login/", {"username": "bnnk_a", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Kota Malang" in response.content.decode()


def test_wrong_password_gets_an_indonesian_message(client, bnnk_a):
    response = client.post("/akun/login/", {"username": "bnnk_a", "password": "wrong"})
    assert response.status_code == 200
    assert "sandi yang benar" in response.content.decode()


def test_login_is_throttled_after_repeated_failures(client, bnnk_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/akun/login/", {"username": "bnnk_a", "password": "wrong"})
    # Even the right password is refused while locked, with a clear message.
    response = client.post("/akun/login/", {"username": "bnnk_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_requires_post_and_logs_out(client, bnnk_a):
    client.force_login(bnnk_a)
    response = client.post("/akun/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email(client, bnnk_a):
    response = client.post("/akun/password_reset/", {"email": bnnk_a.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [bnnk_a.email]
    assert "/akun/reset/" in mail.outbox[0].body


def test_password_change_page(client, bnnk_a):
    client.force_login(bnnk_a)
    response = client.get("/akun/password_change/")
    assert response.status_code == 200
    assert "Ubah kata sandi" in response.content.decode()


def test_language_switch_to_english(client, bnnk_a):
    client.force_login(bnnk_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert 'lang="en"' in body
    assert "Log out" in body
    assert "Keluar" not in body


def language_options(body: str) -> list[str]:
    select = re.search(r'<select id="lang-select".*?</select>', body, re.S).group(0)
    return [name.strip() for name in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


@pytest.mark.parametrize("language", ["id", "en"])
def test_language_switch_names_each_language_in_itself(client, bnnk_a, language):
    client.force_login(bnnk_a)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    body = client.get("/").content.decode()
    assert language_options(body) == ["Bahasa Indonesia", "English"]
    assert "Inggris" not in body
    assert re.search(rf'<option value="{language}" selected>', body)


def test_browser_language_does_not_override_indonesian(client):
    body = client.get("/akun/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="id"' in body
    assert "Masuk ke KOTAN" in body
