"""Two-factor helpers for tests and scripts: an authenticator for a user, its current code (computed from
the device's key as the phone's app would), and a test client whose session already entered a code."""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor


def authenticator(user, *, confirmed: bool = True) -> TOTPDevice:
    """The user's authenticator (made confirmed when missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()
    return device or TOTPDevice.objects.create(user=user, name="uji", confirmed=confirmed)


def setup_secret(client: Client) -> TOTPDevice:
    """The authenticator the setup page is showing, as the phone's app holds it after the scan: an
    unsaved device with the secret the session keeps (nothing is stored before a code is sent)."""
    return TOTPDevice(key=client.session[two_factor.SETUP_KEY_SESSION_KEY])


def code_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The 6 digits the app shows now (or that many 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def login_verified(client: Client, user) -> Client:
    """force_login, and the session holds a verified authenticator (as after the code page)."""
    client.force_login(user, backend="accounts.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()
    return client


def next_step(device: TOTPDevice) -> None:
    """As if the app had moved on to its next 30-second code: the last accepted one no longer blocks the
    code now shown (a test signs in several times within one step)."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
