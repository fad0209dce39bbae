"""Survey URLs under /survei/. Each feature registers its paths in its own section below."""

from django.urls import path

from .entry import views as entry
from .evidence import views as evidence_views
from .history import views as history_views
from .links import views as link_views

app_name = "assessments"

urlpatterns: list = []

# --- entry: collection home, questionnaires, autosave, complete, submit (entry/views.py) ---
urlpatterns += [
    path("", entry.my_collection, name="my_collection"),
    path("periode/", entry.collection_list, name="collection_list"),
    path("periode/<int:year>/<str:regency_code>/", entry.collection_home, name="collection"),
    path("periode/<int:year>/<str:regency_code>/kirim/", entry.collection_submit, name="collection_submit"),
    path(
        "periode/<int:year>/<str:regency_code>/kuesioner/baru/",
        entry.questionnaire_new,
        name="questionnaire_new",
    ),
    path("kuesioner/<int:pk>/", entry.questionnaire_fill, name="questionnaire"),
    path("kuesioner/<int:pk>/jawaban/", entry.answer_save, name="answer_save"),
    path("kuesioner/<int:pk>/lengkap/", entry.questionnaire_complete, name="questionnaire_complete"),
    path("kuesioner/<int:pk>/berikutnya/", entry.questionnaire_next, name="questionnaire_next"),
]

# --- excel bulk entry (bulk/views.py) ---
from .bulk import views as excel_views  # noqa: E402

urlpatterns += [
    path(
        "periode/<int:year>/<str:regency_code>/excel/template/<str:group_code>/",
        excel_views.template_download,
        name="excel_template",
    ),
    path("periode/<int:year>/<str:regency_code>/excel/unggah/", excel_views.upload, name="excel_upload"),
    path("periode/<int:year>/<str:regency_code>/excel/pratinjau/", excel_views.preview, name="excel_preview"),
    path("periode/<int:year>/<str:regency_code>/excel/terapkan/", excel_views.apply, name="excel_apply"),
    path("periode/<int:year>/<str:regency_code>/excel/batal/", excel_views.cancel, name="excel_cancel"),
]

# --- field kit: the JSON endpoints of the offline client (fieldkit/views.py) ---
from .fieldkit import views as fieldkit_views  # noqa: E402

urlpatterns += [
    path("lapangan/sesi.json", fieldkit_views.fieldkit_session, name="fieldkit_session"),
    path(
        "periode/<int:year>/<str:regency_code>/lapangan/paket.json",
        fieldkit_views.fieldkit_package,
        name="fieldkit_package",
    ),
    path(
        "periode/<int:year>/<str:regency_code>/lapangan/sinkron.json",
        fieldkit_views.fieldkit_sync,
        name="fieldkit_sync",
    ),
    path(
        "periode/<int:year>/<str:regency_code>/lapangan/foto.json",
        fieldkit_views.fieldkit_photo,
        name="fieldkit_photo",
    ),
    path(
        "periode/<int:year>/<str:regency_code>/lapangan/antrean.xlsx",
        fieldkit_views.fieldkit_export,
        name="fieldkit_export",
    ),
]

# --- respondent links (links/views.py) ---
urlpatterns += [
    path("periode/<int:year>/<str:regency_code>/tautan/", link_views.link_list, name="link_list"),
    path("periode/<int:year>/<str:regency_code>/tautan/baru/", link_views.link_create, name="link_create"),
    path("tautan/<int:pk>/", link_views.link_detail, name="link_detail"),
]
# The respondent's public pages, mounted at /r/ by kotan/urls.py (namespace "respondent").
respondent_urlpatterns = [
    path("<str:token>/", link_views.respondent_page, name="page"),
    path("<str:token>/jawaban/", link_views.respondent_save, name="save"),
    path("<str:token>/kirim/", link_views.respondent_complete, name="complete"),
]

# --- evidence and history (evidence/views.py, history/views.py) ---
urlpatterns += [
    path(
        "periode/<int:year>/<str:regency_code>/bukti/unggah/",
        evidence_views.evidence_upload,
        name="evidence_upload",
    ),
    path("bukti/<int:pk>/unduh/", evidence_views.evidence_download, name="evidence_download"),
    path("bukti/<int:pk>/hapus/", evidence_views.evidence_delete, name="evidence_delete"),
    path("periode/<int:year>/<str:regency_code>/riwayat/", history_views.collection_history, name="history"),
]

# --- review: BNNP verification, finalise/reopen/extend, comment replies, progress (review/views.py) ---
from .review import views as review_views  # noqa: E402

urlpatterns += [
    path("periode/<int:year>/<str:regency_code>/verifikasi/", review_views.review, name="review"),
    path(
        "periode/<int:year>/<str:regency_code>/verifikasi/kuesioner/<int:pk>/kecualikan/",
        review_views.review_exclude,
        name="review_exclude",
    ),
    path(
        "periode/<int:year>/<str:regency_code>/verifikasi/kuesioner/<int:pk>/sertakan/",
        review_views.review_include,
        name="review_include",
    ),
    path(
        "periode/<int:year>/<str:regency_code>/verifikasi/kembalikan/",
        review_views.review_return,
        name="review_return",
    ),
    path(
        "periode/<int:year>/<str:regency_code>/verifikasi/setujui/",
        review_views.review_verify,
        name="review_verify",
    ),
    path(
        "periode/<int:year>/<str:regency_code>/verifikasi/finalkan/",
        review_views.review_finalize,
        name="review_finalize",
    ),
    path(
        "periode/<int:year>/<str:regency_code>/verifikasi/buka-kembali/",
        review_views.review_reopen,
        name="review_reopen",
    ),
    path(
        "periode/<int:year>/<str:regency_code>/perpanjang/",
        review_views.deadline_extend,
        name="deadline_extend",
    ),
    path("komentar/<int:pk>/balas/", review_views.comment_reply, name="comment_reply"),
    path("progres/", review_views.progress, name="progress"),
]

# --- field kit: the field page and the offline fallback (fieldkit/page.py, fieldkit/pwa.py); the service
# worker and the manifest sit at the site's root (kotan/urls.py) ---
from .fieldkit import page as fieldkit_page  # noqa: E402
from .fieldkit import pwa as fieldkit_pwa  # noqa: E402

urlpatterns += [
    path("lapangan/", fieldkit_page.fieldkit_home, name="fieldkit_home"),
    path("lapangan/luring/", fieldkit_pwa.offline, name="fieldkit_offline"),
]
