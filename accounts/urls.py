"""User management pages under /pengguna/: bulk import and invitations (BNN pusat only)."""

from django.urls import path

from . import views_import

app_name = "accounts"

urlpatterns = [
    path("impor/", views_import.import_upload, name="import_upload"),
    path("impor/pratinjau/", views_import.import_preview, name="import_preview"),
    path("impor/buat/", views_import.import_create, name="import_create"),
    path("impor/batal/", views_import.import_cancel, name="import_cancel"),
    path("impor/contoh.xlsx", views_import.import_example, name="import_example"),
    path("undangan/kirim-ulang/", views_import.invitation_resend, name="invitation_resend"),
]
