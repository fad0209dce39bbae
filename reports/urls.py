"""Report and dashboard URLs under /laporan/."""

from django.urls import path

from . import downloads, views

app_name = "reports"

urlpatterns = [
    # Dashboards (reports.views)
    path("", views.index, name="index"),
    path("nasional/", views.national, name="national"),
    path("provinsi/<str:code>/", views.province, name="province"),
    path("kabkota/<str:code>/", views.regency, name="regency"),
    # Downloads (reports.downloads)
    path("<int:year>/peringkat.csv", downloads.ranking_csv, name="ranking_csv"),
    path("<int:year>/peringkat.xlsx", downloads.ranking_xlsx, name="ranking_xlsx"),
    # status/ and siapkan/ before <key>/: "nasional/status/" is not a report keyed "status"
    path("<int:year>/pdf/<str:scope>/status/", downloads.report_pdf_status, name="report_pdf_status"),
    path(
        "<int:year>/pdf/<str:scope>/<str:key>/status/",
        downloads.report_pdf_status,
        name="report_pdf_status_scoped",
    ),
    path("<int:year>/pdf/<str:scope>/siapkan/", downloads.report_pdf_prepare, name="report_pdf_prepare"),
    path(
        "<int:year>/pdf/<str:scope>/<str:key>/siapkan/",
        downloads.report_pdf_prepare,
        name="report_pdf_prepare_scoped",
    ),
    path("<int:year>/pdf/<str:scope>/", downloads.report_pdf, name="report_pdf"),
    path("<int:year>/pdf/<str:scope>/<str:key>/", downloads.report_pdf, name="report_pdf_scoped"),
    path("<int:year>/docx/rencana-aksi/<str:key>/", downloads.plan_docx, name="plan_docx"),
    path("<int:year>/render-ulang/", downloads.render_again, name="render_again"),
]
