"""Writes of the survey: create questionnaires, save answers (with conflict checks), complete, submit.

Each service checks its rules (workflow.py), runs in a transaction, and asks for the collection's
score to be recomputed after commit (reports.scheduling), so a failed broker never loses a save.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.scheduling import request_collection_score
from reports.services import take_snapshot

from . import answer_rows, selectors, workflow
from .answers import parse_value
from .errors import Conflict, NotAllowed, ServiceError
from .models import (
    Answer,
    Collection,
    Period,
    Question,
    Questionnaire,
    RespondentGroup,
    RespondentLink,
    ReviewEvent,
)
from .question_specs import QuestionSpec, spec_of


def period_ensure_collections(*, period: Period) -> int:
    """Create the missing collection of every participating kab/kota (idempotent); return how many."""
    existing = set(period.collections.values_list("regency_id", flat=True))
    missing = [
        Collection(period=period, regency_id=rid)
        for rid in period.participants.values_list("id", flat=True)
        if rid not in existing
    ]
    Collection.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def questionnaire_create(
    *,
    collection: Collection,
    group: RespondentGroup,
    user,
    label: str = "",
    village: str = "",
    filled_on: datetime.date | None = None,
    method: str = Questionnaire.Method.STAFF,
) -> Questionnaire:
    workflow.ensure_can_enter(user, collection)
    workflow.ensure_can_add_questionnaire(collection)
    if group.instrument_id != collection.period.instrument_id:
        raise ServiceError(
            _("Kelompok responden bukan bagian dari instrumen periode ini."), code="wrong_group"
        )
    return Questionnaire.objects.create(
        collection=collection,
        group=group,
        label=label.strip()[:200],
        village=village.strip()[:120],
        filled_on=filled_on or timezone.localdate(),
        method=method,
        entered_by=user,
    )


def _check_editor(questionnaire: Questionnaire, user, link: RespondentLink | None) -> None:
    if link is not None:
        if link.questionnaire_id != questionnaire.pk or not link.is_usable():
            raise NotAllowed(_("Tautan ini sudah tidak berlaku."), code="link_invalid")
        reason = workflow.entry_closed_reason(questionnaire.collection)
        if reason:
            raise NotAllowed(reason, code="closed")
    else:
        workflow.ensure_can_enter(user, questionnaire.collection)
    workflow.ensure_questionnaire_editable(questionnaire)


def _check_question(questionnaire: Questionnaire, question: QuestionSpec) -> None:
    if question.instrument_id != questionnaire.collection.period.instrument_id:
        raise ServiceError(
            _("Pertanyaan ini bukan bagian dari instrumen periode ini."), code="wrong_question"
        )
    if questionnaire.group_id not in question.group_ids:
        raise ServiceError(
            _("Pertanyaan %(code)s tidak ditanyakan kepada kelompok %(group)s.")
            % {"code": question.code, "group": questionnaire.group.name},
            code="wrong_group",
        )


def _who(answer: Answer) -> str:
    if answer.updated_by is None:
        return _("responden (tautan)")
    return answer.updated_by.get_full_name() or answer.updated_by.username


def questionnaire_save_answer(
    *,
    questionnaire: Questionnaire,
    question: Question | QuestionSpec,
    raw_value,
    base_version: int,
    user=None,
    link: RespondentLink | None = None,
) -> Answer | None:
    """Save one answer as the user typed it; an empty value clears it (returns None).

    `base_version` is the version the client last saw (0 for none). If the stored answer moved on since,
    the save is refused with Conflict carrying the newer value and who wrote it: nothing is overwritten
    silently. Retrying a save that already went through (same value, same author) succeeds.
    `question` may be the QuestionSpec autosave reads from memory (question_specs), or a Question.
    """
    question = spec_of(question)
    _check_editor(questionnaire, user, link)
    _check_question(questionnaire, question)
    workflow.ensure_answer_editable(questionnaire.collection, questionnaire, question)
    empty = raw_value is None or str(raw_value).strip() == ""
    value = None if empty else parse_value(question.kind, question.option_values, raw_value)
    author = user if link is None else None

    author_id = getattr(author, "pk", None)
    if value is not None:
        now = timezone.now()
        saved = answer_rows.write_in_one_statement(
            questionnaire_id=questionnaire.pk,
            question_id=question.pk,
            value=value,
            base_version=base_version,
            user_id=author_id,
            now=now,
        )
        if saved is not None:
            _after_answer_change(questionnaire, question, now, touched=True)
            return _answer(questionnaire, question, saved, value, author_id, now)
    try:
        with transaction.atomic():
            # Plain SQL (answer_rows): the ORM cost several times the database work on this hot path.
            row = answer_rows.lock(questionnaire.pk, question.pk)
            current_version = row.version if row else 0
            if row is not None and value is not None and row.value == value:
                retry = base_version == current_version - 1 and row.updated_by_id == author_id
                if base_version == current_version or retry:
                    # Nothing changed, or a retry of a save that already succeeded.
                    return Answer.objects.get(pk=row.pk)
            if base_version != current_version:
                answer = Answer.objects.select_related("updated_by").get(pk=row.pk) if row else None
                raise Conflict(
                    _("Jawaban ini sudah diubah oleh %(who)s. Periksa nilai terbaru sebelum menyimpan.")
                    % {"who": _who(answer) if answer else _("pengguna lain")},
                    current_value=answer.value if answer else None,
                    current_version=current_version,
                    changed_by=_who(answer) if answer else "",
                    changed_at=answer.updated_at if answer else None,
                    changed_by_staff=answer is not None and answer.updated_by_id is not None,
                )
            if value is None:
                if row is not None:
                    answer = Answer.objects.get(pk=row.pk)
                    answer._history_user = author
                    answer.delete()
                    _after_answer_change(questionnaire, question)
                return None
            now = timezone.now()
            if row is None:
                pk, version = answer_rows.insert(questionnaire.pk, question.pk, value, author_id, now), 1
            else:
                pk, version = row.pk, row.version + 1
                answer_rows.update(pk, value, version, author_id, now)
            answer_rows.record_history(
                pk=pk,
                questionnaire_id=questionnaire.pk,
                question_id=question.pk,
                value=value,
                version=version,
                user_id=author_id,
                now=now,
                created=row is None,
            )
            _after_answer_change(questionnaire, question, now)
            return _answer(questionnaire, question, (pk, version), value, author_id, now)
    except IntegrityError:
        # Two first saves of the same answer at once: the other one won.
        current = Answer.objects.select_related("updated_by").get(
            questionnaire=questionnaire, question_id=question.pk
        )
        raise Conflict(
            _("Jawaban ini baru saja diisi oleh %(who)s.") % {"who": _who(current)},
            current_value=current.value,
            current_version=current.version,
            changed_by=_who(current),
            changed_at=current.updated_at,
            changed_by_staff=current.updated_by_id is not None,
        ) from None


def _answer(questionnaire, question, saved: tuple[int, int], value, author_id, now) -> Answer:
    """The Answer just written, without reading it back."""
    return Answer.from_db(
        None,
        ["id", "questionnaire_id", "question_id", "value", "version", "updated_by_id", "updated_at"],
        [saved[0], questionnaire.pk, question.pk, value, saved[1], author_id, now],
    )


def _after_answer_change(
    questionnaire: Questionnaire,
    question: QuestionSpec,
    now: datetime.datetime | None = None,
    *,
    touched: bool = False,
) -> None:
    if not touched:  # write_in_one_statement touches the questionnaire itself
        answer_rows.touch_questionnaire(questionnaire.pk, now or timezone.now())
    if questionnaire.state == Questionnaire.State.COMPLETE:
        # A complete questionnaire counts in the score; a cleared required answer makes it a draft again.
        if (
            question.required
            and not Answer.objects.filter(questionnaire=questionnaire, question_id=question.pk).exists()
        ):
            questionnaire.state = Questionnaire.State.DRAFT
            questionnaire.completed_at = None
            questionnaire.save(update_fields=["state", "completed_at", "updated_at"])
        collection_id = questionnaire.collection_id
        transaction.on_commit(lambda: request_collection_score(collection_id))


def questionnaire_complete(
    *, questionnaire: Questionnaire, user=None, link: RespondentLink | None = None
) -> None:
    """Mark complete when every required question of its group is answered; else say what is missing."""
    _check_editor(questionnaire, user, link)
    workflow.ensure_questionnaire_in_return_scope(questionnaire)
    missing = selectors.questionnaire_missing_required(questionnaire)
    if missing:
        raise ServiceError(
            _("Masih ada %(n)d pertanyaan wajib yang belum dijawab.") % {"n": len(missing)},
            code="incomplete",
            details=[f"{q.code}: {q.text}" for q in missing],
        )
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if locked.state == Questionnaire.State.COMPLETE:
            return
        locked.state = Questionnaire.State.COMPLETE
        locked.completed_at = timezone.now()
        locked._history_user = user
        locked.save(update_fields=["state", "completed_at", "updated_at"])
        if link is not None:
            RespondentLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
        collection_id = locked.collection_id
        transaction.on_commit(lambda: request_collection_score(collection_id))
    questionnaire.refresh_from_db()


def collection_submit(*, collection: Collection, user) -> Collection:
    """Submit the collection when every quota is met and required evidence is present.

    A second submit (a double click) is refused with a clear message and changes nothing.
    """
    with transaction.atomic():
        locked = (
            Collection.objects.select_for_update(of=("self",))
            .select_related("period", "regency")
            .get(pk=collection.pk)
        )
        if locked.state == Collection.State.SUBMITTED:
            raise ServiceError(_("Koleksi ini sudah dikirim."), code="already_submitted")
        workflow.ensure_can_enter(user, locked)
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
        ReviewEvent.objects.create(
            collection=locked, action=ReviewEvent.Action.SUBMITTED, round=locked.review_round, actor=user
        )
        # What was sent, kept as sent: the "submitted score" is computed from the first snapshot.
        take_snapshot(locked)
        transaction.on_commit(lambda: request_collection_score(locked.pk))
    workflow.notify("notify_collection_submitted", locked)
    return locked
