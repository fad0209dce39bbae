"""Bulk user import pages for BNN pusat: upload, preview with each row's problems, create and invite."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kotan import access

from . import onboarding

SESSION_KEY = "user_import"


def _require_national(request: HttpRequest) -> None:
    if not access.is_national(request.user):
        raise PermissionDenied(_("Hanya BNN pusat yang dapat mengimpor pengguna."))


def _pending(request: HttpRequest) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or "rows" not in pending:
        return None
    return pending


def _pending_rows(pending: dict) -> list[onboarding.SheetRow]:
    return [onboarding.SheetRow.from_list(values) for values in pending["rows"]]


@require_http_methods(["GET", "POST"])
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_national(request)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("berkas")
        if upload is None:
            error = _("Pilih berkas XLSX atau CSV terlebih dahulu.")
        elif upload.size > onboarding.MAX_BYTES:
            error = _("Berkas terlalu besar (maksimal 2 MB).")
        else:
            try:
                rows = onboarding.read_sheet(upload.read(), upload.name)
            except onboarding.SheetError as exc:
                error = exc.message
            else:
                request.session[SESSION_KEY] = {
                    "id": secrets.token_urlsafe(8),
                    "filename": upload.name[:200],
                    "rows": [r.as_list() for r in rows],
                }
                return redirect("accounts:import_preview")
    return render(
        request,
        "accounts/import_upload.html",
        {"error": error, "pending": _pending(request)},
        status=400 if error else 200,
    )


@require_GET
@login_required
def import_preview(request: HttpRequest) -> HttpResponse:
    _require_national(request)
    pending = _pending(request)
    if pending is None:
        return redirect("accounts:import_upload")
    # Checked again on every view: someone may have created one of these users meanwhile.
    checked = onboarding.check_rows(_pending_rows(pending))
    bad = sum(1 for c in checked if not c.ok)
    return render(
        request,
        "accounts/import_preview.html",
        {"pending": pending, "checked": checked, "bad_count": bad, "good_count": len(checked) - bad},
    )


@require_POST
@login_required
def import_create(request: HttpRequest) -> HttpResponse:
    _require_national(request)
    pending = _pending(request)
    if pending is None or request.POST.get("impor") != pending["id"]:
        messages.error(request, _("Pratinjau impor sudah tidak berlaku. Unggah berkas lagi."))
        return redirect("accounts:import_upload")
    try:
        users = onboarding.create_users(_pending_rows(pending))
    except onboarding.ImportRefused as exc:
        messages.error(
            request,
            exc.message
            or _("Belum ada pengguna yang dibuat: perbaiki baris yang bermasalah lalu unggah lagi."),
        )
        return redirect("accounts:import_preview")
    del request.session[SESSION_KEY]
    base_url = request.build_absolute_uri("/")
    failed = [u.email for u in users if not onboarding.send_invitation(u, base_url=base_url)]
    messages.success(
        request,
        ngettext(
            "%(n)s pengguna dibuat dan diundang lewat e-mail.",
            "%(n)s pengguna dibuat dan diundang lewat e-mail.",
            len(users),
        )
        % {"n": len(users)},
    )
    if failed:
        messages.warning(
            request,
            _(
                "Undangan gagal dikirim ke: %(emails)s. Pengguna tetap dibuat; kirim ulang undangan "
                "dari halaman ini."
            )
            % {"emails": ", ".join(failed)},
        )
    return redirect("accounts:import_upload")


@require_POST
@login_required
def import_cancel(request: HttpRequest) -> HttpResponse:
    _require_national(request)
    request.session.pop(SESSION_KEY, None)
    messages.info(request, _("Impor dibatalkan; tidak ada pengguna yang dibuat."))
    return redirect("accounts:import_upload")


@require_GET
@login_required
def import_example(request: HttpRequest) -> HttpResponse:
    _require_national(request)
    response = HttpResponse(
        onboarding.example_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="contoh-impor-pengguna.xlsx"'
    return response


@require_POST
@login_required
def invitation_resend(request: HttpRequest) -> HttpResponse:
    """A fresh invitation for a user who has not set a password yet (link expired or mail lost)."""
    _require_national(request)
    email = request.POST.get("email", "").strip()
    user = onboarding.invited_user(email) if email else None
    if user is None:
        messages.error(
            request,
            _('Tidak ada pengguna undangan dengan e-mail "%(email)s" yang belum membuat kata sandi.')
            % {"email": email[:200]},
        )
    elif onboarding.send_invitation(user, base_url=request.build_absolute_uri("/")):
        messages.success(request, _("Undangan baru dikirim ke %(email)s.") % {"email": user.email})
    else:
        messages.error(request, _("Undangan gagal dikirim; coba lagi nanti."))
    return redirect("accounts:import_upload")
