"""Two-factor pages under /akun/2fa/: the code after the password, setting up an authenticator, the
backup codes (shown once) and the account security page where anyone turns it on, makes new backup codes
or turns it off (only when not required). The rules live in accounts.two_factor."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import two_factor
from .forms_two_factor import CodeForm


def _next_url(request: HttpRequest) -> str:
    """Where to go after the code: the page first asked for (same site only), else the home page."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("home")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """'Verifikasi dua langkah': one code from the app or one backup code, then on to `next`."""
    next_url = _next_url(request)
    if not two_factor.code_missing(request):
        return redirect(next_url)
    device = two_factor.totp_device(request.user)
    if device is None:
        if two_factor.required_for(request.user):
            return redirect(_with_next("two_factor:setup", next_url))
        two_factor.session_forget(request)  # the authenticator was removed (reset) since the login
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        used, error = two_factor.check_code(request.user, form.cleaned_data["code"])
        if used is not None:
            two_factor.session_verified(request, used)
            if notice := two_factor.backup_notice(used):
                messages.warning(request, notice)
            return redirect(next_url)
        form.add_error("code", error)
    return render(request, "accounts/two_factor/verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator: QR code and secret, then its first code confirms it."""
    if two_factor.totp_device(request.user) is not None:
        return redirect("two_factor:security")  # already on (and if not verified yet: to the code page)
    next_url = _next_url(request)
    device = two_factor.setup_device(request, store=request.method == "POST")
    if device is None:  # a code sent without the page's QR code having been shown (or already used)
        messages.error(request, _("Kode QR ini tidak berlaku lagi. Pindai kode QR yang tampil sekarang."))
        return redirect(_with_next("two_factor:setup", next_url))
    form = CodeForm(request.POST or None, backup=False)
    if form.is_valid():
        error = two_factor.setup_confirm(request, device, form.cleaned_data["code"])
        if not error:
            messages.success(request, _("Verifikasi dua langkah aktif untuk akun Anda."))
            return redirect(_with_next("two_factor:backup_codes", next_url))
        form.add_error("code", error)
    context = {
        "form": form,
        "next": next_url,
        "qr": two_factor.setup_qr_svg(device),
        "secret": two_factor.secret_text(device),
        "required": two_factor.required_for(request.user),
        "pending": two_factor.code_missing(request),
    }
    return render(request, "accounts/two_factor/setup.html", context)


@never_cache
@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """The backup codes just made, once: the session forgets them as this page shows them."""
    codes = request.session.pop(two_factor.NEW_CODES_SESSION_KEY, None)
    if not codes:
        messages.info(
            request,
            _("Kode cadangan hanya ditampilkan sekali. Bila hilang, buat kode baru di halaman ini."),
        )
        return redirect("two_factor:security")
    shown = [two_factor.backup_code_text(code) for code in codes]
    context = {"codes": shown, "next": _next_url(request)}
    return render(request, "accounts/two_factor/backup_codes.html", context)


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """'Keamanan akun': the state of two-factor sign-in and what the user may do with it."""
    context = {
        "state": two_factor.state_of(request.user),
        "new_codes_form": CodeForm(prefix="baru"),
        "off_form": CodeForm(prefix="matikan"),
    }
    return render(request, "accounts/two_factor/security.html", context)


def _code_accepted(request: HttpRequest, prefix: str) -> bool:
    """The code of a security-page form is right; else its error as a message."""
    form = CodeForm(request.POST, prefix=prefix)
    if not form.is_valid():
        messages.error(request, form.errors["code"][0])
        return False
    used, error = two_factor.check_code(request.user, form.cleaned_data["code"])
    if used is None:
        messages.error(request, error)
    return used is not None


@require_POST
@login_required
def backup_codes_new(request: HttpRequest) -> HttpResponse:
    """New backup codes (the old ones stop working), after a current code."""
    if two_factor.totp_device(request.user) is None:
        messages.error(request, _("Aktifkan verifikasi dua langkah terlebih dahulu."))
        return redirect("two_factor:security")
    if not _code_accepted(request, "baru"):
        return redirect("two_factor:security")
    request.session[two_factor.NEW_CODES_SESSION_KEY] = two_factor.backup_codes_replace(request.user)
    return redirect("two_factor:backup_codes")


@require_POST
@login_required
def turn_off(request: HttpRequest) -> HttpResponse:
    """Remove the authenticator and backup codes, after a current code. Whoever must use two-factor sets
    up a new authenticator at once (a new phone); anyone else signs in with the password alone again."""
    if two_factor.totp_device(request.user) is None:
        messages.error(request, _("Verifikasi dua langkah belum aktif."))
        return redirect("two_factor:security")
    if not _code_accepted(request, "matikan"):
        return redirect("two_factor:security")
    two_factor.devices_remove(request.user)
    two_factor.session_forget(request)
    if two_factor.required_for(request.user):
        messages.info(request, _("Perangkat lama dilepas. Pasang aplikasi autentikator di perangkat baru."))
        return redirect("two_factor:setup")
    messages.success(request, _("Verifikasi dua langkah dimatikan."))
    return redirect("two_factor:security")
