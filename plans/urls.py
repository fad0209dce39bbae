"""Action plan URLs under /rencana-aksi/<year>/<kab/kota code>/."""

from django.urls import path

from . import monev, national, signed, views

app_name = "plans"

urlpatterns = [
    path("<int:year>/<str:regency_code>/", views.plan, name="plan"),
    path("<int:year>/<str:regency_code>/susun/", views.plan_create, name="plan_create"),
    path("<int:year>/<str:regency_code>/butir/baru/", views.item_new, name="item_new"),
    path("<int:year>/<str:regency_code>/butir/<int:pk>/ubah/", views.item_edit, name="item_edit"),
    path("<int:year>/<str:regency_code>/butir/<int:pk>/status/", views.item_status, name="item_status"),
    path("<int:year>/<str:regency_code>/butir/<int:pk>/hapus/", views.item_drop, name="item_drop"),
    path("<int:year>/<str:regency_code>/dokumen/", views.plan_document, name="plan_document"),
    path("<int:year>/<str:regency_code>/bertanda-tangan/", signed.signed_upload, name="signed_upload"),
    path("<int:year>/<str:regency_code>/bertanda-tangan/berkas/", signed.signed_file, name="signed_file"),
    path("<int:year>/<str:regency_code>/instansi/", views.agency_add, name="agency_add"),
    path("<int:year>/<str:regency_code>/instansi/<int:pk>/ubah/", views.agency_rename, name="agency_rename"),
    # --- national view, export, effect ---
    path("nasional/", national.national, name="national"),
    path("nasional/ekspor.csv", national.export_csv, name="export_csv"),
    path("nasional/ekspor.xlsx", national.export_xlsx, name="export_xlsx"),
]

# --- monev (BNNP) ---
urlpatterns += [
    path("provinsi/<str:code>/", monev.province, name="province"),
    path(
        "<int:year>/<str:regency_code>/butir/<int:pk>/tindak-lanjut/",
        monev.follow_up_add,
        name="follow_up_add",
    ),
    path(
        "<int:year>/<str:regency_code>/tindak-lanjut/<int:pk>/berkas/",
        monev.follow_up_file,
        name="follow_up_file",
    ),
    path("<int:year>/<str:regency_code>/komentar/", monev.comment_add, name="comment_add"),
]
