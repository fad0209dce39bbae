"""Top-level URLs: auth, language switch, admin, and each app under its namespace."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from accounts.views import home
from assessments.fieldkit import pwa
from assessments.urls import respondent_urlpatterns
from reports.api import api

from .infra.health import healthz, readyz

# The admin (BNN pusat's instruments, periods and band schemes) says whose it is, not "Django administration".
admin.site.site_header = _("Administrasi KOTAN")
admin.site.site_title = _("Admin KOTAN")
admin.site.index_title = _("Instrumen, periode dan data rujukan")

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),  # bare liveness check: "ok", no login, no database
    path("readyz", readyz, name="readyz"),  # readiness: database, Redis, heartbeats (JSON, no login)
    # The field kit's installable app (issue 15): the service worker must sit at the root to control
    # every page; the manifest beside it.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="web_manifest"),
    path("akun/2fa/", include("accounts.urls_two_factor")),  # two-factor sign-in, account security
    path("akun/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("wilayah/", include("regions.urls")),
    path("survei/", include("assessments.urls")),
    path("r/", include((respondent_urlpatterns, "respondent"))),  # respondent links, no login
    path("laporan/", include("reports.urls")),
    path("rencana-aksi/", include("plans.urls")),
    path("notifikasi/", include("notifications.urls")),
    path("pengguna/", include("accounts.urls")),
    path("api/", api.urls),  # read-only JSON API; schema at /api/openapi.json, docs at /api/docs
    # The instrument's admin pages moved with their models to the instruments app (issue 13): a bookmark
    # of the old address lands on the same page.
    re_path(
        r"^admin/assessments/(?P<rest>(?:bandscheme|band|instrument|respondentgroup|variable|indicator"
        r"|question|option|evidencetype)/.*)$",
        RedirectView.as_view(url="/admin/instruments/%(rest)s", query_string=True),
        name="admin_instruments_moved",
    ),
    path("admin/", admin.site.urls),
]

# An unreadable request body (broken encoding, too large) answers in Indonesian, as JSON for autosave.
handler400 = "kotan.infra.errors.bad_request"
# Any uncaught exception: a 503 with Retry-After while the database is away (JSON for autosave), else an
# Indonesian 500 page; neither touches the database.
handler500 = "kotan.infra.errors.server_error"
