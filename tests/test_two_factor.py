"""Two-factor sign-in (accounts.two_factor, accounts.middleware, accounts.views_two_factor): who must,
the code page in front of every other URL (JSON 401 for fetch calls), setting up with a real code from
the device's key, backup codes (once each, shown once), throttling, the security page, BNNK opt-in and
the admin's reset. Two-factor is on here as with DEBUG off (settings.TWO_FACTOR_REQUIRED); the rest of
the suite runs with it off, as `make run` does."""

import base64
import collections
import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.middleware import OPEN_NAMESPACES, OPEN_VIEWS
from accounts.models import Role, User
from assessments import services
from assessments.links import services as links
from tests.conftest import PASSWORD, make_user
from tests.factories import group, make_collection, question
from tests.otp import authenticator, code_now, login_verified, next_step, setup_secret
from tests.test_access_matrix import build_path, url_entries
from tests.test_settings import run_manage

pytestmark = pytest.mark.django_db

VERIFY = "/akun/2fa/verifikasi/"
SETUP = "/akun/2fa/pasang/"
SECURITY = "/akun/2fa/"
CODES = "/akun/2fa/kode-cadangan/"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def sign_in(client, user) -> str:
    """The password step through the login form; returns where it leads."""
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)
    return response.redirect_chain[-1][0] if response.redirect_chain else ""


def set_up(client, user) -> list[str]:
    """Set up an authenticator in the setup page; returns the backup codes shown."""
    assert client.get(SETUP).status_code == 200
    response = client.post(SETUP, {"code": code_now(setup_secret(client)), "next": "/"})
    assert response.status_code == 302 and response["Location"].startswith(CODES), response
    page = client.get(response["Location"])
    return [li.replace(" ", "") for li in page.context["codes"]]


# --- who must --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "required"),
    [("pusat", True), ("bnnp_a", True), ("bnnk_a", False), ("bnnk_staff", True), ("bnnk_root", True)],
)
def test_required_for_pusat_bnnp_and_admin_accounts_only_when_the_setting_is_on(
    request, settings, regency_a, who, required
):
    if who == "bnnk_staff":  # a BNNK never stays staff (User.save): the rule reads the flag all the same
        user = User(username="x", role=Role.BNNK, regency=regency_a, is_staff=True)
    elif who == "bnnk_root":
        user = make_user("root", Role.BNNK, regency=regency_a, is_superuser=True, is_staff=True)
    else:
        user = request.getfixturevalue(who)
    assert two_factor.required_for(user) is required
    settings.TWO_FACTOR_REQUIRED = False
    assert two_factor.required_for(user) is False


def test_the_setting_is_on_whenever_debug_is_off_and_no_variable_turns_it_off():
    code = "from django.conf import settings as s; print(s.TWO_FACTOR_REQUIRED)"
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "kotan.example"}
    cases = [
        (
            {"DEBUG": "1", "TWO_FACTOR_REQUIRED": ""},
            "False",
        ),  # make run: demo users sign in with the password
        ({"DEBUG": "1", "TWO_FACTOR_REQUIRED": "1"}, "True"),  # trying it locally
        (production, "True"),
        ({**production, "TWO_FACTOR_REQUIRED": "0"}, "True"),  # fail closed
    ]
    for env, expected in cases:
        result = run_manage("shell", "--no-imports", "-c", code, **env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == expected, env


# --- the code page in front of everything ------------------------------------------------------------------


def test_the_password_step_leads_a_privileged_user_without_device_to_the_setup(client, pusat, bnnp_a):
    for user in (pusat, bnnp_a):
        assert sign_in(client, user) == f"{SETUP}?next=%2F"
        client.post(reverse("logout"))


def test_a_bnnk_without_device_signs_in_with_the_password_alone(client, bnnk_a):
    assert sign_in(client, bnnk_a) == "/"
    assert client.get("/").status_code == 200


def test_with_the_setting_off_a_privileged_user_signs_in_with_the_password(client, settings, pusat):
    settings.TWO_FACTOR_REQUIRED = False
    assert sign_in(client, pusat) == "/"
    assert client.get("/admin/").status_code == 200


# Dummy path parameters: the middleware answers before any view runs, so the path only has to resolve.
PARAMS = collections.defaultdict(lambda: "1", app_label="accounts", url="tidak-ada/")
JSON_URLS = {"assessments:answer_save"}


def test_every_url_but_the_open_ones_sends_an_unverified_user_to_the_code_page(client, pusat):
    client.force_login(pusat)
    checked = 0
    for entry in url_entries():
        name = entry.key.partition(":")[0] if ":" in entry.key else ""
        if entry.key in OPEN_VIEWS or name in OPEN_NAMESPACES:
            continue
        path = build_path(entry.route, PARAMS)
        # Autosave checks the code itself, after require_POST: a GET is only its 405.
        response = client.post(path) if entry.key == "assessments:answer_save" else client.get(path)
        if name == "api" or entry.key in JSON_URLS:
            assert response.status_code == 401, (entry.key, path, response.status_code)
            assert "Verifikasi dua langkah belum dilakukan" in response.json()["message"]
        else:
            assert response.status_code == 302, (entry.key, path, response.status_code)
            assert response["Location"] == two_factor.verify_url(path), (entry.key, response["Location"])
        checked += 1
    assert checked > 100  # the site's pages, the API and the admin (/admin/ included)


def test_fetch_calls_and_autosave_get_json_401_with_an_indonesian_message(client, bnnk_a, regency_a):
    collection = make_collection(regency_a)
    inst = collection.period.instrument
    qn = services.questionnaire_create(collection=collection, group=group(inst, "keluarga"), user=bnnk_a)
    authenticator(bnnk_a)  # BNNK opted in: the sign-in asks for the code
    client.force_login(bnnk_a)
    save = client.post(
        f"/survei/kuesioner/{qn.pk}/jawaban/",
        {"question": question(inst, "q_likert").pk, "value": "2", "base_version": 0},
    )
    assert save.status_code == 401 and "tetap ada di perangkat ini" in save.json()["message"]
    assert not qn.answers.exists()
    badge = client.get(reverse("notifications:unread_count"), headers={"accept": "application/json"})
    assert badge.status_code == 401 and badge.json()["verify_url"] == VERIFY
    assert client.get("/api/periods").status_code == 401


def test_a_post_without_the_code_is_not_replayed_after_it(client, pusat):
    client.force_login(pusat)
    response = client.post(reverse("password_change"), {"old_password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == VERIFY


def test_open_pages_answer_an_unverified_user(client, pusat, bnnk_a, regency_a):
    collection = make_collection(regency_a)
    link = links.link_create(
        collection=collection, group=group(collection.period.instrument, "keluarga"), user=bnnk_a
    )
    client.force_login(pusat)
    assert client.get(f"/r/{link.token}/").status_code == 200  # respondent pages: no login, no code
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code in (200, 503)
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.get(SETUP).status_code == 200
    logout = client.post(reverse("logout"))
    assert logout.status_code == 302 and logout["Location"] == reverse("login")
    assert client.get("/").status_code == 302 and "_auth_user_id" not in client.session


def test_respondent_pages_work_for_anonymous_respondents_as_before(client, bnnk_a, regency_a):
    collection = make_collection(regency_a)
    inst = collection.period.instrument
    link = links.link_create(collection=collection, group=group(inst, "keluarga"), user=bnnk_a)
    assert client.get(f"/r/{link.token}/").status_code == 200
    save = client.post(
        f"/r/{link.token}/jawaban/",
        {"question": question(inst, "q_likert").pk, "value": "3", "base_version": 0},
    )
    assert save.status_code == 200 and save.json()["ok"]


# --- setting up, the code page ----------------------------------------------------------------------------


def test_setup_with_a_real_code_shows_ten_backup_codes_once_and_verifies_the_session(client, pusat):
    client.force_login(pusat)
    page = client.get(SETUP)
    assert not TOTPDevice.objects.filter(user=pusat).exists()  # showing the page stores nothing
    secret = page.context["secret"]
    assert secret.replace(" ", "") == base64.b32encode(setup_secret(client).bin_key).decode()
    assert "<svg" in page.content.decode() and 'class="two-factor-qr"' in page.content.decode()
    assert client.get(SETUP).context["secret"] == secret  # a reload keeps the scanned secret
    codes = set_up(client, pusat)
    assert len(codes) == 10 and all(two_factor.BACKUP_CODE.fullmatch(c) for c in codes)
    assert set(StaticToken.objects.filter(device__user=pusat).values_list("token", flat=True)) == set(codes)
    device = TOTPDevice.objects.get(user=pusat)
    assert base64.b32encode(device.bin_key).decode() == secret.replace(" ", "")  # the secret scanned
    assert device.confirmed and client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert two_factor.SETUP_KEY_SESSION_KEY not in client.session
    again = client.get(CODES)  # shown once
    assert again.status_code == 302 and again["Location"] == SECURITY
    assert client.get("/").status_code == 200 and client.get("/admin/").status_code == 200
    assert client.get(SETUP)["Location"] == SECURITY  # already on


def test_a_wrong_code_is_refused_in_indonesian(client, pusat):
    client.force_login(pusat)
    client.get(SETUP)
    wrong = f"{(int(code_now(setup_secret(client))) + 1) % 1_000_000:06d}"
    page = client.post(SETUP, {"code": wrong})
    assert page.status_code == 200 and "Kode salah, kedaluwarsa atau sudah dipakai" in page.content.decode()
    assert (
        "Masukkan 6 angka dari aplikasi autentikator." in client.post(SETUP, {"code": "abc"}).content.decode()
    )
    device = TOTPDevice.objects.get(user=pusat)  # stored by the code sent, still unconfirmed
    assert not device.confirmed


def test_the_code_page_takes_the_app_code_once_then_sends_on_to_next(client, pusat):
    device = authenticator(pusat)
    assert sign_in(client, pusat) == f"{VERIFY}?next=%2F"
    page = client.get(VERIFY + "?next=/laporan/")
    assert page.status_code == 200 and "Verifikasi dua langkah" in page.content.decode()
    key_before = client.session.session_key
    used = code_now(device)
    response = client.post(VERIFY, {"code": used, "next": "/laporan/"})
    assert response.status_code == 302 and response["Location"] == "/laporan/"
    assert client.session.session_key != key_before  # a new session key once verified
    assert client.get("/survei/periode/").status_code == 200
    client.post(reverse("logout"))
    sign_in(client, pusat)
    reused = client.post(VERIFY, {"code": used})  # the same code again
    assert reused.status_code == 200 and "sudah dipakai" in reused.content.decode()


def test_next_never_leaves_the_site(client, pusat):
    device = authenticator(pusat)
    client.force_login(pusat)
    response = client.post(VERIFY, {"code": code_now(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_backup_code_works_once_only(client, pusat):
    client.force_login(pusat)
    codes = set_up(client, pusat)
    client.post(reverse("logout"))
    sign_in(client, pusat)
    typed = f"{codes[0][:4].upper()}-{codes[0][4:].upper()}"  # as read off paper
    response = client.post(VERIFY, {"code": typed, "next": "/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "tersisa 9 kode" in response.content.decode()
    client.post(reverse("logout"))
    sign_in(client, pusat)
    again = client.post(VERIFY, {"code": codes[0]})
    assert (
        again.status_code == 200
        and "Kode cadangan tidak dikenal atau sudah dipakai" in again.content.decode()
    )


def test_wrong_codes_are_throttled(client, settings, pusat):
    settings.OTP_TOTP_THROTTLE_FACTOR = 100  # seconds after the first failure (django-otp doubles it after)
    device = authenticator(pusat)
    client.force_login(pusat)
    client.post(VERIFY, {"code": "000000" if code_now(device) != "000000" else "111111"})
    right = client.post(VERIFY, {"code": code_now(device)})
    assert right.status_code == 200
    assert "Kode salah 1 kali berturut-turut. Tunggu 100 detik, lalu coba lagi." in right.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    device.refresh_from_db()
    device.throttling_failure_timestamp -= datetime.timedelta(seconds=101)
    device.save()
    assert client.post(VERIFY, {"code": code_now(device)})["Location"] == "/"


# --- the security page, BNNK opt-in --------------------------------------------------------------------


def test_security_page_is_in_the_user_menu_and_shows_the_state(client, pusat):
    login_verified(client, pusat)
    home = client.get("/").content.decode()
    assert f'href="{SECURITY}"' in home and "Keamanan akun" in home
    page = client.get(SECURITY).content.decode()
    assert "Aktif" in page and "tidak dapat dimatikan" in page and "Ganti ponsel" in page
    assert "Matikan verifikasi dua langkah" not in page


def test_bnnk_opts_in_then_is_asked_at_sign_in_and_may_turn_it_off(client, bnnk_a):
    client.force_login(bnnk_a)
    page = client.get(SECURITY).content.decode()
    assert "Tidak aktif" in page and SETUP in page
    set_up(client, bnnk_a)
    client.post(reverse("logout"))
    assert sign_in(client, bnnk_a) == f"{VERIFY}?next=%2F"
    device = TOTPDevice.objects.get(user=bnnk_a)
    next_step(device)
    client.post(VERIFY, {"code": code_now(device)})
    assert client.get("/").status_code == 200
    next_step(device)
    refused = client.post("/akun/2fa/matikan/", {"matikan-code": "123"}, follow=True)
    assert "Masukkan 6 angka" in refused.content.decode() and TOTPDevice.objects.filter(user=bnnk_a).exists()
    off = client.post("/akun/2fa/matikan/", {"matikan-code": code_now(device)}, follow=True)
    assert "Verifikasi dua langkah dimatikan." in off.content.decode()
    assert not TOTPDevice.objects.filter(user=bnnk_a).exists() and not StaticDevice.objects.filter(
        user=bnnk_a
    )
    client.post(reverse("logout"))
    assert sign_in(client, bnnk_a) == "/"


def test_a_required_user_replaces_the_device_instead_of_turning_it_off(client, pusat):
    device = authenticator(pusat)
    login_verified(client, pusat)
    response = client.post("/akun/2fa/matikan/", {"matikan-code": code_now(device)})
    assert response["Location"] == SETUP
    assert not TOTPDevice.objects.filter(user=pusat, confirmed=True).exists()
    assert client.get("/")["Location"] == two_factor.verify_url("/")
    assert client.get(VERIFY)["Location"].startswith(SETUP)


def test_new_backup_codes_need_a_current_code_and_replace_the_old(client, pusat):
    client.force_login(pusat)
    old = set_up(client, pusat)
    device = TOTPDevice.objects.get(user=pusat)
    wrong = client.post("/akun/2fa/kode-cadangan/baru/", {"baru-code": "zzzzzzzz"}, follow=True)
    assert "Kode cadangan tidak dikenal" in wrong.content.decode()
    response = client.post("/akun/2fa/kode-cadangan/baru/", {"baru-code": code_now(device, steps_ahead=1)})
    assert response["Location"] == CODES
    new = [c.replace(" ", "") for c in client.get(CODES).context["codes"]]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=pusat).values_list("token", flat=True)) == set(new)


# --- the admin's reset -----------------------------------------------------------------------------------


def test_the_admin_reset_removes_the_devices_and_is_logged(client, pusat, bnnp_a):
    root = User.objects.create_superuser("root", "root@example.test", PASSWORD)
    login_verified(client, root)
    authenticator(bnnp_a)
    two_factor.backup_codes_replace(bnnp_a)
    changelist = client.get("/admin/accounts/user/").content.decode()
    assert "Reset verifikasi dua langkah" in changelist
    response = client.post(
        "/admin/accounts/user/",
        {"action": "two_factor_reset", "_selected_action": [bnnp_a.pk, pusat.pk]},
        follow=True,
    )
    assert "Verifikasi dua langkah direset untuk 1 pengguna" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=bnnp_a).exists()
    assert not StaticDevice.objects.filter(user=bnnp_a).exists()
    entry = LogEntry.objects.get(object_id=str(bnnp_a.pk))
    assert entry.user_id == root.pk and "direset" in entry.get_change_message()
    other = client.__class__()
    assert sign_in(other, bnnp_a) == f"{SETUP}?next=%2F"  # sets it up again at the next sign-in


def test_after_a_reset_an_opted_in_bnnk_is_let_in_with_the_password(client, bnnk_a):
    authenticator(bnnk_a)
    assert sign_in(client, bnnk_a) == f"{VERIFY}?next=%2F"
    two_factor.devices_remove(bnnk_a)
    response = client.get(VERIFY + "?next=/")
    assert response["Location"] == "/" and client.get("/").status_code == 200


def test_a_code_sent_without_the_page_shown_stores_nothing(client, pusat):
    client.force_login(pusat)
    response = client.post(SETUP, {"code": "123456"}, follow=True)
    assert "Kode QR ini tidak berlaku lagi" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=pusat).exists()


def test_the_installable_app_files_answer_a_user_who_owes_the_code(client, pusat):
    """Every page registers the service worker; a redirect to the code page would make the browser refuse
    it ("the script resource is behind a redirect", seen in the browser walk). They hold no data."""
    sign_in(client, pusat)
    assert client.get("/survei/").status_code == 302  # an ordinary page still waits for the code
    for path in ("/sw.js", "/manifest.webmanifest", reverse("assessments:fieldkit_offline")):
        assert client.get(path).status_code == 200, path
