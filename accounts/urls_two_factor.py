"""Two-factor sign-in pages under /akun/2fa/ (namespace "two_factor"; accounts.views_two_factor)."""

from django.urls import path

from . import views_two_factor as views

app_name = "two_factor"

urlpatterns = [
    path("", views.security, name="security"),
    path("verifikasi/", views.verify, name="verify"),
    path("pasang/", views.setup, name="setup"),
    path("kode-cadangan/", views.backup_codes, name="backup_codes"),
    path("kode-cadangan/baru/", views.backup_codes_new, name="backup_codes_new"),
    path("matikan/", views.turn_off, name="turn_off"),
]
