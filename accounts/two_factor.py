"""Two-factor sign-in: who must enter a code after the password, and the devices that give the codes.

The rule (README, "Verifikasi dua langkah"):
  - BNN pusat, BNNP and admin accounts (staff or superuser) must, whenever settings.TWO_FACTOR_REQUIRED
    is on (always with DEBUG off). Checked on every request from the user row itself, so a role given
    during a session counts at once.
  - anyone else (BNNK staff, and everyone in development) may turn it on; once they have a confirmed
    authenticator, their next sign-in asks for it. That is read once at login into the session
    (OPT_IN_SESSION_KEY): a BNNK page or autosave costs no device query.
A session is verified once a code was accepted (django_otp.login: OTPMiddleware then sets
request.user.is_verified()). Codes come from an authenticator app (django-otp's TOTPDevice, 6 digits,
30 s) or from one of BACKUP_CODE_COUNT one-time backup codes (StaticDevice). Wrong codes slow down:
django-otp's throttling doubles the wait after each failure (1, 2, 4, 8 ... seconds) per device.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .models import Role, User

BACKUP_CODE_COUNT = 10
# Set at login (True when the user has a confirmed authenticator): the sign-in asks for a code.
OPT_IN_SESSION_KEY = "two_factor_opt_in"
# Backup codes just made, shown once by the backup-codes page, which removes them from the session.
NEW_CODES_SESSION_KEY = "two_factor_new_codes"
# The secret of the authenticator being set up, from the setup page's first showing until its first code:
# a reload shows the same QR code, and no device row exists before a code is sent (a GET stores nothing).
SETUP_KEY_SESSION_KEY = "two_factor_setup_key"

# What a code looks like once spaces and dashes are gone: 6 digits from the app, or a backup code
# (StaticToken.random_token: 8 characters of lowercase base32).
TOTP_CODE = re.compile(r"\d{6}")
BACKUP_CODE = re.compile(r"[a-z2-7]{8}")
BACKUP_DEVICE_NAME = "kode cadangan"
TOTP_DEVICE_NAME = "aplikasi autentikator"


# --- who must ---------------------------------------------------------------------------------------


def is_privileged(user: User) -> bool:
    """BNN pusat, BNNP, or an admin account: what two-factor protects first."""
    return user.role in (Role.PUSAT, Role.BNNP) or user.is_staff or user.is_superuser


def required_for(user: User) -> bool:
    """Must this user enter a second factor at sign-in, device or not (and may not turn it off)?"""
    return settings.TWO_FACTOR_REQUIRED and is_privileged(user)


def code_missing(request: HttpRequest) -> bool:
    """True when the session's user must still enter a code: every page but the code pages is closed."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return required_for(user) or bool(request.session.get(OPT_IN_SESSION_KEY))


def remember_device_at_login(sender, request: HttpRequest, user: User, **kwargs) -> None:
    """user_logged_in receiver (AccountsConfig.ready): note whether this sign-in must ask for a code."""
    if request is not None and hasattr(request, "session"):
        request.session[OPT_IN_SESSION_KEY] = totp_device(user) is not None


def verify_url(next_url: str = "") -> str:
    """The code page, coming back to `next_url` afterwards."""
    url = reverse("two_factor:verify")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def json_refusal() -> JsonResponse:
    """What a fetch() call (autosave, the API, the notification badge) gets while the code is missing."""
    message = _(
        "Verifikasi dua langkah belum dilakukan. Buka KOTAN di tab lain dan masukkan kode dari aplikasi "
        "autentikator; jawaban yang belum tersimpan tetap ada di perangkat ini."
    )
    return JsonResponse({"ok": False, "message": message, "verify_url": verify_url()}, status=401)


# Views that check code_missing() themselves, after reading the user their own way (autosave reads it
# with the questionnaire in one statement): TwoFactorMiddleware leaves them alone.
VIEWS_CHECKING_THEMSELVES: set = set()


def checks_code_itself(view):
    """Decorator (outermost): the view calls code_missing() itself; the middleware skips it."""
    VIEWS_CHECKING_THEMSELVES.add(view)
    return view


# --- devices ------------------------------------------------------------------------------------------


def with_device_flag(users: QuerySet) -> QuerySet:
    """The users annotated with two_factor_on: they have a confirmed authenticator (one query in all)."""
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return users.annotate(two_factor_on=Exists(confirmed))


def totp_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def setup_device(request: HttpRequest, *, store: bool) -> TOTPDevice | None:
    """The authenticator being set up, from the secret the session keeps for the setup page (the same on
    every showing, so a reload after scanning keeps the scanned secret). Showing the page (`store`
    False) draws the secret when there is none and returns an unsaved device; a code sent (`store` True)
    needs that secret and stores the unconfirmed device it checks, or returns None without one."""
    key = request.session.get(SETUP_KEY_SESSION_KEY)
    if key is None:
        if store:
            return None
        key = request.session[SETUP_KEY_SESSION_KEY] = random_hex(20)
    if not store:
        return TOTPDevice(user=request.user, name=TOTP_DEVICE_NAME, key=key, confirmed=False)
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, key=key, confirmed=False, defaults={"name": TOTP_DEVICE_NAME}
    )
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def setup_qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// address of the device as an inline SVG QR code (segno; no network, no inline style)."""
    qr = segno.make(device.config_url, error="m")
    return mark_safe(  # noqa: S308 - segno's own SVG of an address we built, no user markup
        qr.svg_inline(scale=4, border=4, svgclass="two-factor-qr", lineclass=None, omitsize=True)
    )


def normalize_code(code: str) -> str:
    """What the user typed, without spaces and dashes, in lowercase ("ABCD-EFGH" -> "abcdefgh")."""
    return re.sub(r"[\s-]", "", code).lower()


def check_code(user: User, code: str, device: Device | None = None) -> tuple[Device | None, str]:
    """Try one normalized code: 6 digits against the authenticator (or `device`, the one being set up),
    else against the backup codes (a used one is gone). Returns (the device that took it, "") or
    (None, why not, in Indonesian). A throttled device answers without trying."""
    totp = TOTP_CODE.fullmatch(code) is not None
    if device is None:
        device = totp_device(user) if totp else StaticDevice.objects.filter(user=user).first()
    if totp:
        wrong = _("Kode salah, kedaluwarsa atau sudah dipakai. Masukkan kode yang sedang tampil di aplikasi.")
    else:
        wrong = _("Kode cadangan tidak dikenal atau sudah dipakai.")
    if device is None:
        return None, wrong
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return None, throttled_message(info["failure_count"], info["locked_until"])
    verified = django_otp.verify_token(user, device.persistent_id, code)
    return (verified, "") if verified else (None, wrong)


def backup_notice(device: Device) -> str:
    """After a sign-in with a backup code: how many are left (nothing after an app code)."""
    if not isinstance(device, StaticDevice):
        return ""
    left = device.token_set.count()
    return ngettext(
        "Anda masuk dengan kode cadangan; tersisa %(left)d kode. Buat kode baru di halaman Keamanan akun.",
        "Anda masuk dengan kode cadangan; tersisa %(left)d kode. Buat kode baru di halaman Keamanan akun.",
        left,
    ) % {"left": left}


def throttled_message(failures: int, locked_until: datetime) -> str:
    """Why a code is not tried now: django-otp waits 1, 2, 4 ... seconds after 1, 2, 3 ... wrong codes."""
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return ngettext(
        "Kode salah %(failures)d kali berturut-turut. Tunggu %(seconds)d detik, lalu coba lagi.",
        "Kode salah %(failures)d kali berturut-turut. Tunggu %(seconds)d detik, lalu coba lagi.",
        seconds,
    ) % {"failures": failures, "seconds": seconds}


def session_verified(request: HttpRequest, device: Device) -> None:
    """The code was right: this session is verified from now on (a new session key, as at login)."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[OPT_IN_SESSION_KEY] = True


def setup_confirm(request: HttpRequest, device: TOTPDevice, code: str) -> str:
    """Confirm the authenticator being set up with its first code: it becomes the user's device, with a
    fresh set of backup codes (kept in the session for the page that shows them once). Returns "" or
    why the code was refused."""
    verified, error = check_code(request.user, code, device)
    if verified is None:
        return error
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        request.session[NEW_CODES_SESSION_KEY] = backup_codes_replace(request.user)
    request.session.pop(SETUP_KEY_SESSION_KEY, None)
    session_verified(request, device)
    return ""


def backup_codes_replace(user: User) -> list[str]:
    """BACKUP_CODE_COUNT new backup codes; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": BACKUP_DEVICE_NAME, "confirmed": True}
    )
    codes: set[str] = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(StaticToken.random_token())
    with transaction.atomic():
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in sorted(codes))
    return sorted(codes)


def backup_code_text(code: str) -> str:
    """A backup code as shown: two groups of four ("abcd efgh")."""
    return f"{code[:4]} {code[4:]}"


def devices_remove(user: User) -> int:
    """Remove the user's authenticator and backup codes (turn off, or the admin's reset); returns how
    many devices there were. A session verified with one of them is no longer verified."""
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    static, _by_model = StaticDevice.objects.filter(user=user).delete()
    return removed + static


def session_forget(request: HttpRequest) -> None:
    """After turning it off: this session neither is verified nor asks for a code."""
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    request.session[OPT_IN_SESSION_KEY] = False


@dataclass(frozen=True)
class State:
    """What the account security page shows."""

    enabled: bool
    required: bool
    since: datetime | None
    last_used: datetime | None
    backup_left: int


def state_of(user: User) -> State:
    device = totp_device(user)
    backup = StaticToken.objects.filter(device__user=user).count() if device else 0
    return State(
        enabled=device is not None,
        required=required_for(user),
        since=device.created_at if device else None,
        last_used=device.last_used_at if device else None,
        backup_left=backup,
    )
