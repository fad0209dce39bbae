"""Every state change of a collection, and who may make it when: submit, return, verify, final, reopen.

Scope itself is decided by kotan.access; this module adds the survey's state and dates: the entry
window, the transitions (one function each; nothing else in the tree writes a collection's state) and
what a returned collection lets the BNNK change. The layers above hear of a transition through
assessments.signals, after commit.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Case, DateField, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from instruments.models import Question
from kotan import access
from kotan.lib.service_errors import NotAllowed, ServiceError

from . import selectors, signals
from .models import Collection, Questionnaire, ReviewComment, ReviewEvent
from .snapshots import take_snapshot

EDITABLE_STATES = (Collection.State.DRAFT, Collection.State.RETURNED)


def entry_deadline(collection: Collection) -> datetime.date:
    """The last day data may be entered in this collection.

    The collection deadline (with a BNN pusat extension, if any). A returned collection may still be
    corrected, for what was returned, until the verification deadline when that is later: the BNNP
    usually returns after the collection deadline and the correction must fit in the review window.
    """
    deadline = collection.deadline
    if collection.state == Collection.State.RETURNED:
        return max(deadline, collection.period.verification_deadline)
    return deadline


def entry_deadline_expression() -> Case:
    """entry_deadline as a query expression over Collection rows (the reminders pick the collections due
    on a day with it): the same rule, written for the database."""
    own = Coalesce("deadline_extended_to", "period__collection_deadline")
    return Case(
        When(state=Collection.State.RETURNED, then=Greatest(own, "period__verification_deadline")),
        default=own,
        output_field=DateField(),
    )


def entry_closed_reason(collection: Collection, today: datetime.date | None = None) -> str | None:
    """Why nobody can enter data in this collection now, or None when it is open."""
    today = today or timezone.localdate()
    if collection.state not in EDITABLE_STATES:
        return _("Koleksi berstatus %(state)s sehingga tidak dapat diubah.") % {
            "state": collection.get_state_display()
        }
    if today < collection.period.collection_opens:
        return _("Pengumpulan data periode ini baru dibuka pada %(date)s.") % {
            "date": date_format(collection.period.collection_opens, "j F Y")
        }
    deadline = entry_deadline(collection)
    if today > deadline:
        if collection.state == Collection.State.RETURNED:
            return _("Batas perbaikan (%(date)s) telah lewat; data tidak dapat diubah lagi.") % {
                "date": date_format(deadline, "j F Y")
            }
        return _("Batas pengumpulan data (%(date)s) telah lewat; data tidak dapat diubah lagi.") % {
            "date": date_format(deadline, "j F Y")
        }
    return None


def ensure_can_enter(user, collection: Collection, today: datetime.date | None = None) -> None:
    """Raise NotAllowed unless this user may add or change questionnaires and evidence now."""
    if not access.can_enter_data(user, collection.regency):
        raise NotAllowed(
            _("Hanya petugas BNNK kabupaten/kota ini yang dapat mengisi data."), code="forbidden"
        )
    reason = entry_closed_reason(collection, today)
    if reason:
        raise NotAllowed(reason, code="closed")


def ensure_questionnaire_editable(questionnaire: Questionnaire) -> None:
    if questionnaire.state == Questionnaire.State.EXCLUDED:
        raise NotAllowed(_("Kuesioner ini dikecualikan dan tidak dapat diubah."), code="excluded")


def ensure_can_edit_answers(questionnaire: Questionnaire, *, user=None, link=None) -> None:
    """Raise NotAllowed unless the questionnaire's answers may change now: by BNNK staff (`user`), or by
    the respondent through their still usable `link` while the collection is open."""
    if link is not None:
        if link.questionnaire_id != questionnaire.pk or not link.is_usable():
            raise NotAllowed(_("Tautan ini sudah tidak berlaku."), code="link_invalid")
        reason = entry_closed_reason(questionnaire.collection)
        if reason:
            raise NotAllowed(reason, code="closed")
    else:
        ensure_can_enter(user, questionnaire.collection)
    ensure_questionnaire_editable(questionnaire)


# --- Transitions: one function per step; each checks role, scope and state, logs a ReviewEvent
# and asks for the score to be recomputed after commit. ---


def _require(condition: bool, message: str, code: str = "forbidden") -> None:
    if not condition:
        raise NotAllowed(message, code=code)


def _require_state(collection: Collection, *states: str, message: str) -> None:
    if collection.state not in states:
        raise NotAllowed(message, code="state")


def _locked(collection: Collection) -> Collection:
    return (
        Collection.objects.select_for_update(of=("self",))
        .select_related("period", "regency")
        .get(pk=collection.pk)
    )


def _log(collection: Collection, action: str, user, note: str = "", questionnaire=None) -> None:
    ReviewEvent.objects.create(
        collection=collection,
        action=action,
        round=collection.review_round,
        actor=user,
        note=note,
        questionnaire=questionnaire,
    )


def _set_state(collection: Collection, state: str, user) -> None:
    collection.state = state
    collection._history_user = user
    collection.save(update_fields=["state", "review_round", "updated_at"])


def collection_submit(*, collection: Collection, user) -> Collection:
    """The BNNK sends the collection when every quota is met and required evidence is present.

    A second submit (a double click) is refused with a clear message and changes nothing.
    """
    with transaction.atomic():
        locked = _locked(collection)
        if locked.state == Collection.State.SUBMITTED:
            raise ServiceError(_("Koleksi ini sudah dikirim."), code="already_submitted")
        ensure_can_enter(user, locked)
        missing = selectors.collection_missing(locked)
        if missing:
            raise ServiceError(
                _("Koleksi belum dapat dikirim. Yang masih kurang:"), code="incomplete", details=missing
            )
        locked.state = Collection.State.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked._history_user = user
        locked.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
        _log(locked, ReviewEvent.Action.SUBMITTED, user)
        # What was sent, kept as sent: the "submitted score" is computed from the first snapshot.
        take_snapshot(locked)
        signals.request_score_after_commit(locked.pk)
        signals.send_after_commit(signals.collection_submitted, sender=Collection, collection=locked)
    return locked


def collection_return(*, collection: Collection, user, comments: list[dict], note: str = "") -> Collection:
    """BNNP returns a submitted collection with at least one comment; only what the comments point at
    becomes editable for the BNNK. Each comment: {"target", "text", and questionnaire/evidence/indicator/
    evidence_type as the target needs}."""
    _require(
        access.can_verify(user, collection.regency), _("Hanya BNNP provinsi ini yang dapat mengembalikan.")
    )
    cleaned = [c for c in comments if str(c.get("text", "")).strip()]
    if not cleaned:
        raise NotAllowed(
            _("Tuliskan minimal satu komentar tentang apa yang harus diperbaiki."), code="no_comment"
        )
    with transaction.atomic():
        locked = _locked(collection)
        _require_state(
            locked,
            Collection.State.SUBMITTED,
            message=_("Hanya koleksi yang sudah dikirim yang dapat dikembalikan."),
        )
        for c in cleaned:
            comment = ReviewComment(
                collection=locked,
                round=locked.review_round,
                author=user,
                text=str(c["text"]).strip()[:4000],
                target=c.get("target", ReviewComment.Target.GENERAL),
                questionnaire=c.get("questionnaire"),
                evidence=c.get("evidence"),
                indicator=c.get("indicator"),
                evidence_type=c.get("evidence_type"),
            )
            _check_comment_target(locked, comment)
            comment.full_clean(exclude=["collection", "author"])
            comment.save()
        _log(locked, "returned", user, note)
        locked.review_round += 1
        _set_state(locked, Collection.State.RETURNED, user)
        signals.request_score_after_commit(locked.pk)
        summary = "\n".join(str(c["text"]).strip() for c in cleaned)
        signals.send_after_commit(
            signals.collection_returned, sender=Collection, collection=locked, comment_summary=summary
        )
    return locked


def _check_comment_target(collection: Collection, comment) -> None:
    """A comment may only point at objects of the same collection / instrument."""
    ok = True
    if comment.questionnaire is not None:
        ok &= comment.questionnaire.collection_id == collection.pk
    if comment.evidence is not None:
        ok &= comment.evidence.collection_id == collection.pk
    if comment.indicator is not None:
        ok &= comment.indicator.variable.instrument_id == collection.period.instrument_id
    if comment.evidence_type is not None:
        ok &= comment.evidence_type.instrument_id == collection.period.instrument_id
    if not ok:
        raise NotAllowed(_("Komentar menunjuk data di luar koleksi ini."), code="foreign_target")


def collection_verify(*, collection: Collection, user, note: str = "") -> Collection:
    _require(
        access.can_verify(user, collection.regency), _("Hanya BNNP provinsi ini yang dapat memverifikasi.")
    )
    with transaction.atomic():
        locked = _locked(collection)
        _require_state(
            locked,
            Collection.State.SUBMITTED,
            message=_("Hanya koleksi yang sudah dikirim yang dapat diverifikasi."),
        )
        _log(locked, "verified", user, note)
        _set_state(locked, Collection.State.VERIFIED, user)
        locked.comments.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        signals.request_score_after_commit(locked.pk)
        signals.send_after_commit(signals.collection_verified, sender=Collection, collection=locked)
    return locked


def collection_finalize(*, collection: Collection, user, note: str = "") -> Collection:
    _require(access.is_national(user), _("Hanya BNN pusat yang dapat memfinalkan."))
    with transaction.atomic():
        locked = _locked(collection)
        _require_state(
            locked, Collection.State.VERIFIED, message=_("Hanya koleksi terverifikasi yang dapat difinalkan.")
        )
        _log(locked, "finalized", user, note)
        _set_state(locked, Collection.State.FINAL, user)
        signals.request_score_after_commit(locked.pk)
    return locked


def collection_reopen(*, collection: Collection, user, reason: str) -> Collection:
    """BNN pusat reopens a verified or final collection for the BNNP to review again (reason required)."""
    _require(access.is_national(user), _("Hanya BNN pusat yang dapat membuka kembali."))
    if not reason.strip():
        raise NotAllowed(_("Alasan membuka kembali wajib diisi."), code="no_reason")
    with transaction.atomic():
        locked = _locked(collection)
        _require_state(
            locked,
            Collection.State.VERIFIED,
            Collection.State.FINAL,
            message=_("Hanya koleksi terverifikasi atau final yang dapat dibuka kembali."),
        )
        _log(locked, "reopened", user, reason.strip())
        _set_state(locked, Collection.State.SUBMITTED, user)
        signals.request_score_after_commit(locked.pk)
    return locked


def deadline_extend(*, collection: Collection, user, until: datetime.date, reason: str) -> Collection:
    """BNN pusat gives one kab/kota more time to collect (recorded with the reason)."""
    _require(access.is_national(user), _("Hanya BNN pusat yang dapat memperpanjang batas."))
    if not reason.strip():
        raise NotAllowed(_("Alasan perpanjangan wajib diisi."), code="no_reason")
    if until <= collection.period.collection_deadline:
        raise NotAllowed(_("Tanggal perpanjangan harus setelah batas pengumpulan periode."), code="bad_date")
    with transaction.atomic():
        locked = _locked(collection)
        _require_state(
            locked, *EDITABLE_STATES, message=_("Perpanjangan hanya untuk koleksi yang belum dikirim.")
        )
        locked.deadline_extended_to = until
        locked._history_user = user
        locked.save(update_fields=["deadline_extended_to", "updated_at"])
        _log(locked, "extended", user, f"{until.isoformat()}: {reason.strip()}")
        # In the transaction: what follows the deadline (links.on_deadline_extended) changes with it.
        signals.collection_deadline_extended.send(sender=Collection, collection=locked)
    return locked


def questionnaire_exclude(*, questionnaire: Questionnaire, user, reason: str) -> Questionnaire:
    """BNNP excludes a questionnaire from the score during review (reason required)."""
    collection = questionnaire.collection
    _require(
        access.can_verify(user, collection.regency),
        _("Hanya BNNP provinsi ini yang dapat mengecualikan kuesioner."),
    )
    if not reason.strip():
        raise NotAllowed(_("Alasan pengecualian wajib diisi."), code="no_reason")
    with transaction.atomic():
        locked = _locked(collection)
        _require_state(
            locked,
            Collection.State.SUBMITTED,
            message=_("Kuesioner hanya dapat dikecualikan saat koleksi diverifikasi."),
        )
        q = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        q.state = Questionnaire.State.EXCLUDED
        q.excluded_reason = reason.strip()[:2000]
        q._history_user = user
        q.save(update_fields=["state", "excluded_reason", "updated_at"])
        _log(locked, "excluded", user, q.excluded_reason, questionnaire=q)
        signals.request_score_after_commit(locked.pk)
    return q


def questionnaire_include(*, questionnaire: Questionnaire, user) -> Questionnaire:
    """Undo an exclusion: the questionnaire counts again (as complete if it was, else draft)."""
    collection = questionnaire.collection
    _require(
        access.can_verify(user, collection.regency),
        _("Hanya BNNP provinsi ini yang dapat membatalkan pengecualian."),
    )
    with transaction.atomic():
        locked = _locked(collection)
        _require_state(
            locked,
            Collection.State.SUBMITTED,
            message=_("Pengecualian hanya dapat diubah saat koleksi diverifikasi."),
        )
        q = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if q.state != Questionnaire.State.EXCLUDED:
            return q
        q.state = Questionnaire.State.COMPLETE if q.completed_at else Questionnaire.State.DRAFT
        q.excluded_reason = ""
        q._history_user = user
        q.save(update_fields=["state", "excluded_reason", "updated_at"])
        _log(locked, "included", user, questionnaire=q)
        signals.request_score_after_commit(locked.pk)
    return q


def comment_reply(*, comment, user, text: str):
    """Either side answers in a comment's thread (the BNNK of the kab/kota or the BNNP of its province)."""
    collection = comment.collection
    _require(
        access.can_enter_data(user, collection.regency) or access.can_verify(user, collection.regency),
        _("Anda tidak dapat membalas komentar ini."),
    )
    if not text.strip():
        raise NotAllowed(_("Balasan tidak boleh kosong."), code="empty")
    root = comment.parent or comment
    return ReviewComment.objects.create(
        collection=collection,
        round=root.round,
        target=root.target,
        questionnaire=root.questionnaire,
        evidence=root.evidence,
        indicator=root.indicator,
        evidence_type=root.evidence_type,
        parent=root,
        author=user,
        text=text.strip()[:4000],
    )


# --- What a returned collection lets the BNNK change ---


def open_comments(collection: Collection):
    """Root comments of the round the BNNK is correcting (the round before the current one)."""
    return ReviewComment.objects.filter(
        collection=collection,
        parent__isnull=True,
        round=collection.review_round - 1,
        resolved_at__isnull=True,
    )


def returned_scope(collection: Collection) -> dict:
    """What the open comments point at: questionnaire ids, indicator ids, evidence/type ids, general."""
    scope = {
        "general": False,
        "questionnaires": set(),
        "indicators": set(),
        "evidence": set(),
        "evidence_types": set(),
    }
    for target, q_id, ind_id, ev_id, et_id in open_comments(collection).values_list(
        "target", "questionnaire_id", "indicator_id", "evidence_id", "evidence_type_id"
    ):
        scope["general"] |= target == "general"
        if q_id:
            scope["questionnaires"].add(q_id)
        if ind_id:
            scope["indicators"].add(ind_id)
        if ev_id:
            scope["evidence"].add(ev_id)
        if et_id:
            scope["evidence_types"].add(et_id)
    return scope


def ensure_answer_editable(collection: Collection, questionnaire: Questionnaire, question) -> None:
    """In a returned collection, only questionnaires and indicators named by an open comment change."""
    if collection.state != Collection.State.RETURNED:
        return
    scope = returned_scope(collection)
    if (
        scope["general"]
        or questionnaire.pk in scope["questionnaires"]
        or question.indicator_id in scope["indicators"]
    ):
        return
    raise NotAllowed(
        _("Koleksi dikembalikan untuk perbaikan tertentu; jawaban ini tidak termasuk yang diminta."),
        code="locked_by_review",
    )


def questionnaire_in_return_scope(questionnaire: Questionnaire, scope: dict | None = None) -> bool:
    """Whether the open comments of a returned collection reach this questionnaire: a general comment,
    a comment on the questionnaire itself, or one on an indicator with a question asked of its group
    (correcting such an answer can turn the questionnaire back to draft; it must be completable again).
    `scope` (returned_scope) may be passed when the caller already has it."""
    scope = scope if scope is not None else returned_scope(questionnaire.collection)
    if scope["general"] or questionnaire.pk in scope["questionnaires"]:
        return True
    if not scope["indicators"]:
        return False
    return Question.objects.filter(
        instrument_id=questionnaire.collection.period.instrument_id,
        indicator_id__in=scope["indicators"],
        groups=questionnaire.group_id,
    ).exists()


def ensure_questionnaire_in_return_scope(questionnaire: Questionnaire) -> None:
    """In a returned collection, only a questionnaire the open comments reach may be completed again."""
    collection = questionnaire.collection
    if collection.state != Collection.State.RETURNED:
        return
    if not questionnaire_in_return_scope(questionnaire):
        raise NotAllowed(
            _("Koleksi dikembalikan untuk perbaikan tertentu; kuesioner ini tidak termasuk yang diminta."),
            code="locked_by_review",
        )


def ensure_can_add_questionnaire(collection: Collection) -> None:
    if collection.state == Collection.State.RETURNED and not returned_scope(collection)["general"]:
        raise NotAllowed(
            _("Koleksi dikembalikan untuk perbaikan tertentu; kuesioner baru tidak diminta."),
            code="locked_by_review",
        )


def ensure_can_change_evidence(
    collection: Collection, evidence_type_id: int | None = None, evidence_id=None
) -> None:
    if collection.state != Collection.State.RETURNED:
        return
    scope = returned_scope(collection)
    if scope["general"] or evidence_type_id in scope["evidence_types"] or evidence_id in scope["evidence"]:
        return
    raise NotAllowed(
        _("Koleksi dikembalikan untuk perbaikan tertentu; dokumen ini tidak termasuk yang diminta."),
        code="locked_by_review",
    )
