"""Writes of the BNNP's monitoring and evaluation (monev) of action plans: a follow-up on an item (date,
progress, note and/or an evidence file checked by the evidence rules) and a comment on a plan, each
corrected or removed later (history keeps every version and the removal). Scope comes from kotan.access;
a refusal raises ServiceError with an Indonesian message and saves nothing. Also the overdue items
(plans.rules.is_overdue as a query) that notifications.reminders announces."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.evidence import services as evidence_services
from kotan import access
from kotan.lib.service_errors import NotAllowed, ServiceError

from .models import ActionItem, ActionPlan, FollowUp, PlanComment

NOTE_MAX = 4000
COMMENT_MAX = 4000


def _progress(raw) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ServiceError(_("Kemajuan harus berupa angka bulat 0–100.")) from None
    if not 0 <= value <= 100:
        raise ServiceError(_("Kemajuan harus antara 0 dan 100 persen."))
    return value


def _check_follow_up(date: datetime.date | None, note: str, has_file: bool, today: datetime.date) -> None:
    if date is None:
        raise ServiceError(_("Tanggal tindak lanjut wajib diisi."))
    if date > today:
        raise ServiceError(_("Tanggal tindak lanjut tidak boleh di masa depan."))
    if not note and not has_file:
        raise ServiceError(_("Isi catatan atau lampirkan berkas bukti."))
    if len(note) > NOTE_MAX:
        raise ServiceError(_("Catatan terlalu panjang (maksimum %(n)s karakter).") % {"n": NOTE_MAX})


def follow_up_add(
    *,
    user,
    item: ActionItem,
    date: datetime.date | None,
    progress,
    note: str = "",
    uploaded_file=None,
    today: datetime.date | None = None,
) -> FollowUp:
    """Record a follow-up of the item by the BNNP of its province; the file passes the evidence checks."""
    if not access.can_follow_up_plan(user, item.plan.collection.regency):
        raise NotAllowed(_("Hanya BNNP provinsi ini yang dapat mencatat tindak lanjut."), code="forbidden")
    note = (note or "").strip()
    value = _progress(progress)
    row = FollowUp(item=item, date=date, progress=value, note=note, created_by=user)
    _check_follow_up(date, note, uploaded_file is not None, today or timezone.localdate())
    return _save_follow_up(row, user, uploaded_file)


def _save_follow_up(row: FollowUp, user, uploaded_file) -> FollowUp:
    """Check the file (if any) by the evidence rules, then store it and the row together: a refused file
    raises before anything is written, so the row (and a file it had) stay as they were."""
    if uploaded_file is not None:
        detected = evidence_services.check_upload(uploaded_file)
        row.original_name = evidence_services.download_name(uploaded_file.name or "", detected)
        row.content_type = detected.content_type
    row._history_user = user
    with transaction.atomic():
        if uploaded_file is not None:
            # A replaced file stays on disk: the history row of the earlier version still names it.
            uploaded_file.seek(0)
            row.file.save("tindak-lanjut", uploaded_file, save=False)
        try:
            row.save()
        except Exception:
            if uploaded_file is not None and row.file:
                row.file.delete(save=False)  # no orphan file when the row could not be written
            raise
    return row


def _ensure_can_change_follow_up(user, row: FollowUp) -> None:
    if not access.can_change_follow_up(user, row.item.plan.collection.regency):
        raise NotAllowed(
            _("Hanya BNNP provinsi ini yang dapat mengubah atau menghapus tindak lanjut."), code="forbidden"
        )


def follow_up_edit(
    *,
    user,
    row: FollowUp,
    date: datetime.date | None,
    progress,
    note: str = "",
    uploaded_file=None,
    today: datetime.date | None = None,
) -> FollowUp:
    """Correct a follow-up (date, progress, note; a new file replaces the old one after passing the
    evidence checks). Any refusal leaves the stored row and its file as they were."""
    _ensure_can_change_follow_up(user, row)
    note = (note or "").strip()
    value = _progress(progress)
    _check_follow_up(date, note, uploaded_file is not None or bool(row.file), today or timezone.localdate())
    fresh = FollowUp.objects.get(pk=row.pk)  # the caller's instance is left untouched on a refusal
    fresh.date, fresh.progress, fresh.note = date, value, note
    return _save_follow_up(fresh, user, uploaded_file)


def follow_up_delete(*, user, row: FollowUp) -> None:
    """Remove a follow-up from the plan; its history rows (the deletion included, with the user) remain,
    and so does its file, which they name."""
    _ensure_can_change_follow_up(user, row)
    row._history_user = user
    row.delete()


def _comment_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Komentar tidak boleh kosong."))
    if len(text) > COMMENT_MAX:
        raise ServiceError(_("Komentar terlalu panjang (maksimum %(n)s karakter).") % {"n": COMMENT_MAX})
    return text


def comment_add(*, user, plan: ActionPlan, text: str, item: ActionItem | None = None) -> PlanComment:
    """A comment on the plan (or one item of it) by the province's BNNP or the kab/kota's BNNK."""
    if not access.can_comment_plan(user, plan.collection.regency):
        raise NotAllowed(
            _("Hanya BNNP provinsi ini dan BNNK kab/kota ini yang dapat berkomentar."), code="forbidden"
        )
    text = _comment_text(text)
    if item is not None and item.plan_id != plan.pk:
        raise ServiceError(_("Butir tidak termasuk rencana aksi ini."))
    row = PlanComment(plan=plan, item=item, author=user, text=text)
    row._history_user = user
    row.save()
    return row


def _ensure_can_change_comment(user, row: PlanComment) -> None:
    if not access.can_change_comment(user, row.plan.collection.regency, row.author_id):
        raise NotAllowed(_("Hanya penulis komentar yang dapat mengubah atau menghapusnya."), code="forbidden")


def comment_edit(*, user, row: PlanComment, text: str) -> PlanComment:
    """Change a comment's text (its author only); the earlier text stays in its history."""
    _ensure_can_change_comment(user, row)
    row.text = _comment_text(text)
    row._history_user = user
    row.save(update_fields=["text"])
    return row


def comment_delete(*, user, row: PlanComment) -> None:
    """Remove a comment (its author only); its history rows remain."""
    _ensure_can_change_comment(user, row)
    row._history_user = user
    row.delete()


def overdue_items(today: datetime.date, items: QuerySet[ActionItem] | None = None) -> list[ActionItem]:
    """The items (all by default) that plans.rules.is_overdue calls overdue today; the query only narrows
    to past target dates, the rule decides."""
    base = ActionItem.objects.all() if items is None else items
    candidates = base.filter(target_date__lt=today).select_related("plan__collection__regency", "agency")
    return [item for item in candidates if item.is_overdue(today)]
