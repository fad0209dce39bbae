"""The field page a BNNK opens before a trip (/survei/lapangan/): its collections to prepare, and the texts
the offline client (static/js/fieldkit/app.js) shows. Everything else on the page is drawn by that script
from IndexedDB, so the service worker's cached copy of this page works with no network.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Role
from kotan import access

from ..models import Collection


def field_collections(user) -> QuerySet[Collection]:
    """The collections the user may fill in the field: its kab/kota's, of real (non-demo) periods,
    newest first. Only a BNNK enters data (access.can_enter_data), so any other role gets none."""
    if user.role != Role.BNNK or not user.regency_id or not access.can_enter_data(user, user.regency):
        return Collection.objects.none()
    return (
        Collection.objects.filter(regency_id=user.regency_id, period__is_synthetic=False)
        .select_related("period", "regency")
        .order_by("-period__year")
    )


def _strings() -> dict[str, str]:
    """The client's texts, translated here so that gettext covers them (the page puts them in a JSON tag)."""
    return {
        "prepared": _("Paket tersimpan: %(kb)s KB · berlaku sampai %(date)s"),
        "preparing": _("Mengunduh paket…"),
        "prepare_failed": _("Paket tidak dapat diunduh: %(reason)s"),
        "offline": _("Tidak ada koneksi. Coba lagi saat ada sinyal."),
        "persist_yes": _("Penyimpanan permanen diizinkan: browser tidak akan menghapus data lapangan."),
        "persist_no": _("Browser tidak mengizinkan penyimpanan permanen: kirim antrean sesering mungkin."),
        "quota_full": _(
            "Penyimpanan perangkat penuh: data terakhir tidak tersimpan. Kirim atau ekspor antrean, "
            "hapus foto yang tidak perlu, lalu coba lagi."
        ),
        "required": _("Pertanyaan wajib belum dijawab"),
        "range": _("Angka harus antara 0 dan 1.000.000.000.000"),
        "choice": _("Pilih salah satu pilihan yang tersedia"),
        "form_errors": _("Kuesioner belum dapat ditandai lengkap:"),
        "saved": _("Tersimpan di perangkat ini."),
        "completed": _("Ditandai lengkap (belum terkirim)."),
        "no_label": _("(tanpa label)"),
        "sync_running": _("Mengirim %(done)s dari %(total)s…"),
        "sync_done": _("Selesai: %(ok)s terkirim, %(left)s belum terkirim."),
        "sync_nothing": _("Tidak ada yang perlu dikirim."),
        "sync_network": _("Koneksi terputus saat mengirim. Antrean tetap tersimpan; kirim lagi nanti."),
        "sync_server": _("Server sedang tidak dapat menerima (%(status)s). Antrean tetap tersimpan."),
        "photo_failed": _("Foto belum terunggah: %(reason)s"),
        "not_image": _("Berkas ini bukan gambar: %(name)s"),
        "conflict": _("Jawaban ini diubah orang lain: %(who)s"),
        "mine": _("Jawaban Anda"),
        "server": _("Nilai di server"),
        "export_failed": _("Ekspor gagal: %(reason)s"),
        "delete_photo": _("Hapus foto"),
        "empty_queue": _("Belum ada kuesioner di perangkat ini."),
        "open": _("Buka"),
        "clear": _("kosongkan"),
        "required_mark": _("wajib"),
        "keep_mine": _("Simpan jawaban saya"),
        "take_server": _("Pakai nilai di server"),
        **_state_strings(),
    }


def _state_strings() -> dict[str, str]:
    """The name of each state of a queued questionnaire (the contract's states)."""
    return {
        "state_draft": _("Draf (belum terkirim)"),
        "state_complete": _("Lengkap (belum terkirim)"),
        "state_synced": _("Terkirim"),
        "state_server_draft": _("Draf di server"),
        "state_conflict": _("Konflik: pilih nilai"),
        "state_invalid": _("Perlu diperbaiki"),
        "state_refused": _("Ditolak server"),
        "state_error": _("Gagal dikirim"),
    }


@login_required
@require_GET
def fieldkit_home(request: HttpRequest) -> HttpResponse:
    """The field page for a BNNK; any other role gets a short page saying who the field kit is for."""
    if request.user.role != Role.BNNK:
        return render(request, "assessments/fieldkit/not_bnnk.html")
    return render(
        request,
        "assessments/fieldkit/home.html",
        {"collections": list(field_collections(request.user)), "strings": _strings()},
    )
