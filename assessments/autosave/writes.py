"""Saving one answer: the rules checked, then the version check, the answer-history row and the
questionnaire's timestamp written together (questionnaire_save_answer).

Two write paths, named for what they are:
  - _save_in_one_statement: PostgreSQL's usual case (a first answer, or a change of the version the
    client saw) as a single statement (rows.write_in_one_statement). It cannot tell a conflict from a retry
    or a no-op, so whenever it writes nothing the locked path decides.
  - _save_locked: every database and every case (clearing, retries, conflicts): the stored answer read
    and locked, compared with the version the client saw, written, in one transaction.
They stay separate because the first saves the BEGIN, COMMIT and three round trips of the second on
nearly every autosave (bench/load.py), and the second is the only one that can explain a refusal.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from instruments.models import Question
from kotan.lib.service_errors import Conflict, ServiceError

from .. import signals, workflow
from ..answers import parse_value
from ..models import Answer, Questionnaire, RespondentLink
from . import rows
from .specs import QuestionSpec, spec_of


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
    `question` may be the QuestionSpec autosave reads from memory (specs.py), or a Question.
    """
    question = spec_of(question)
    workflow.ensure_can_edit_answers(questionnaire, user=user, link=link)
    _check_question(questionnaire, question)
    workflow.ensure_answer_editable(questionnaire.collection, questionnaire, question)
    empty = raw_value is None or str(raw_value).strip() == ""
    value = None if empty else parse_value(question.kind, question.option_values, raw_value)
    author = user if link is None else None
    if value is not None:
        saved = _save_in_one_statement(questionnaire, question, value, base_version, author)
        if saved is not None:
            return saved
    try:
        return _save_locked(questionnaire, question, value, base_version, author)
    except IntegrityError:
        # Two first saves of the same answer at once: the other one won.
        current = Answer.objects.select_related("updated_by").get(
            questionnaire=questionnaire, question_id=question.pk
        )
        message = _("Jawaban ini baru saja diisi oleh %(who)s.") % {"who": _who(current)}
        raise _conflict(message, current) from None


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


def _save_in_one_statement(
    questionnaire: Questionnaire, question: QuestionSpec, value: float, base_version: int, author
) -> Answer | None:
    """The fast path (PostgreSQL): the Answer written, or None when it wrote nothing."""
    now = timezone.now()
    author_id = getattr(author, "pk", None)
    saved = rows.write_in_one_statement(
        questionnaire_id=questionnaire.pk,
        question_id=question.pk,
        value=value,
        base_version=base_version,
        user_id=author_id,
        now=now,
    )
    if saved is None:
        return None
    _after_answer_change(questionnaire, question, now, touched=True)
    return _answer(questionnaire, question, saved, value, author_id, now)


def _save_locked(
    questionnaire: Questionnaire, question: QuestionSpec, value: float | None, base_version: int, author
) -> Answer | None:
    """The path that decides every case, in one transaction (plain SQL: the ORM cost several times the
    database work here)."""
    author_id = getattr(author, "pk", None)
    with transaction.atomic():
        row = rows.lock(questionnaire.pk, question.pk)
        current_version = row.version if row else 0
        if row is not None and already_saved(row, value, base_version, author_id):
            return Answer.objects.get(pk=row.pk)
        if base_version != current_version:
            answer = Answer.objects.select_related("updated_by").get(pk=row.pk) if row else None
            who = _who(answer) if answer else _("pengguna lain")
            message = _("Jawaban ini sudah diubah oleh %(who)s. Periksa nilai terbaru sebelum menyimpan.")
            raise _conflict(message % {"who": who}, answer, current_version)
        if value is None:
            if row is not None:
                _delete(row.pk, author)
                _after_answer_change(questionnaire, question)
            return None
        now = timezone.now()
        if row is None:
            pk, version = rows.insert(questionnaire.pk, question.pk, value, author_id, now), 1
        else:
            pk, version = row.pk, row.version + 1
            rows.update(pk, value, version, author_id, now)
        rows.record_history(
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


def already_saved(stored, value: float | None, base_version: int, author_id: int | None) -> bool:
    """Whether saving `value` over the version the client saw changes nothing: the stored answer (any
    object with value, version and updated_by_id; None when there is none) already holds it, unchanged
    since, or written by this very save that succeeded once already (a retry: same value, same author,
    one version on). A clear over nothing stored changes nothing either. The field kit's sync asks this
    before writing (assessments/fieldkit/sync.py) to tell a replay from new work."""
    if stored is None:
        return value is None and base_version == 0
    if value is None or stored.value != value:
        return False
    retry = base_version == stored.version - 1 and stored.updated_by_id == author_id
    return base_version == stored.version or retry


def _delete(pk: int, author) -> None:
    """A cleared answer goes through the model: simple-history writes its "-" row by the author."""
    answer = Answer.objects.get(pk=pk)
    answer._history_user = author
    answer.delete()


def _who(answer: Answer) -> str:
    if answer.updated_by is None:
        return _("responden (tautan)")
    return answer.updated_by.get_full_name() or answer.updated_by.username


def _conflict(message: str, answer: Answer | None, version: int | None = None) -> Conflict:
    """The refusal of a save that would overwrite `answer` (None: it was cleared) unseen."""
    return Conflict(
        message,
        current_value=answer.value if answer else None,
        current_version=answer.version if version is None else version,
        changed_by=_who(answer) if answer else "",
        changed_at=answer.updated_at if answer else None,
        changed_by_staff=answer is not None and answer.updated_by_id is not None,
    )


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
        rows.touch_questionnaire(questionnaire.pk, now or timezone.now())
    if questionnaire.state == Questionnaire.State.COMPLETE:
        # A complete questionnaire counts in the score; a cleared required answer makes it a draft again.
        if (
            question.required
            and not Answer.objects.filter(questionnaire=questionnaire, question_id=question.pk).exists()
        ):
            questionnaire.state = Questionnaire.State.DRAFT
            questionnaire.completed_at = None
            questionnaire.save(update_fields=["state", "completed_at", "updated_at"])
        signals.request_score_after_commit(questionnaire.collection_id)
