"""Applying one questionnaire the field kit queued offline (questionnaire_sync), and what it says back.

The offline client sends each questionnaire with the uuid it made for it and each answer with the version
it started from. Nothing here is a rule of its own: the questionnaire is made by
services.questionnaire_create, each answer saved by autosave.writes.questionnaire_save_answer (its
Conflict when someone changed the answer meanwhile, its retry rule for a save that went through before the
client heard of it), completion by services.questionnaire_complete, and the access, deadline and state
rules are workflow's. What sync adds is the order and the bookkeeping:
  - a replay of work already applied (every answer already_saved, completion already done) answers
    "unchanged" and writes nothing, even when the collection closed meanwhile;
  - anything else first passes the collection's and the questionnaire's rules (NotAllowed: the view
    answers 403 and nothing is applied), then runs in one transaction: a refusal half-way rolls all back;
  - a conflicting or invalid answer is reported and the others are still saved; completion is then
    skipped (the officer must look first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from instruments.models import RespondentGroup
from kotan.lib.service_errors import Conflict, NotAllowed, ServiceError

from .. import services, workflow
from ..answers import parse_value
from ..autosave import writes
from ..autosave.specs import QuestionSpec, instrument_specs
from ..models import Answer, Collection, Questionnaire
from .payload import AnswerIn, QuestionnaireIn

SAVED, UNCHANGED, CLEARED, CONFLICT, INVALID = "saved", "unchanged", "cleared", "conflict", "invalid"


class NotFound(ServiceError):
    """The questionnaire id the client sent is not one of this collection's."""

    status = 404


@dataclass
class AnswerResult:
    question: int
    status: str
    version: int = 0
    message: str = ""
    conflict: Conflict | None = None

    def as_dict(self) -> dict:
        data = {"question": self.question, "status": self.status, "version": self.version}
        if self.message:
            data["message"] = self.message
        exc = self.conflict
        if exc is not None:
            data.update(
                current_value=exc.current_value,
                current_version=exc.current_version,
                changed_by=exc.changed_by,
                changed_at=exc.changed_at.isoformat() if exc.changed_at else None,
            )
        return data


@dataclass
class SyncResult:
    questionnaire: Questionnaire
    created: bool
    answers: list[AnswerResult]
    complete: dict = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for a in self.answers if a.status == status)

    @property
    def status(self) -> str:
        if self.count(CONFLICT):
            return "conflict"
        if self.count(INVALID) or self.complete["status"] == "incomplete":
            return "invalid"
        return "ok"

    @property
    def http_status(self) -> int:
        return {"conflict": 409, "invalid": 422}.get(self.status, 200)

    def message(self) -> str:
        if self.status == "conflict":
            return _(
                "%(n)d jawaban sudah diubah orang lain sejak Anda mengisinya; periksa nilai di server lalu "
                "pilih yang benar. Jawaban lain tersimpan."
            ) % {"n": self.count(CONFLICT)}
        if self.count(INVALID):
            return _("%(n)d jawaban tidak valid dan tidak disimpan; jawaban lain tersimpan.") % {
                "n": self.count(INVALID)
            }
        if self.status == "invalid":
            return self.complete["message"]
        return _("Kuesioner tersinkron.")

    def as_dict(self) -> dict:
        q = self.questionnaire
        return {
            "status": self.status,
            "code": self.status,
            "message": self.message(),
            "questionnaire": {
                "id": q.pk,
                "uuid": str(q.client_uuid) if q.client_uuid else None,
                "state": q.state,
                "created": self.created,
            },
            "answers": [a.as_dict() for a in self.answers],
            "complete": self.complete,
        }


def _completion(status: str, message: str = "", details: list[str] | None = None) -> dict:
    return {"status": status, "message": message, "details": details or []}


def questionnaire_sync(*, collection: Collection, user, item: QuestionnaireIn) -> SyncResult:
    """Apply `item` to `collection` as `user` (the view checked the kab/kota is theirs to enter).

    Raises NotAllowed (nothing applied), NotFound, or ServiceError for a request that cannot be applied
    (a uuid of another collection, an unknown group)."""
    questionnaire = _find(collection, item)
    specs = instrument_specs(collection.period.instrument_id)
    stored: dict[int, Answer] = {}
    if questionnaire is not None:
        stored = _stored(questionnaire)
        if _is_replay(questionnaire, item, stored, specs, user):
            return _unchanged(questionnaire, item, stored)
    workflow.ensure_can_enter(user, collection)
    with transaction.atomic():
        created = questionnaire is None
        if created:
            questionnaire, created = _create(collection, item, user)
            stored = {} if created else _stored(questionnaire)
        else:
            _check_open(questionnaire, item, specs)
            _claim_uuid(questionnaire, item)
        answers = [
            _apply(questionnaire, a, specs.get(a.question), stored.get(a.question), user)
            for a in item.answers
        ]
        complete = _complete(questionnaire, item, answers, user)
    return SyncResult(questionnaire=questionnaire, created=created, answers=answers, complete=complete)


def _stored(questionnaire: Questionnaire) -> dict[int, Answer]:
    return {a.question_id: a for a in Answer.objects.filter(questionnaire=questionnaire)}


def _find(collection: Collection, item: QuestionnaireIn) -> Questionnaire | None:
    """The questionnaire the item names (by its uuid, else by the id of a draft from the package)."""
    found = Questionnaire.objects.select_related("group").filter(client_uuid=item.uuid).first()
    if found is not None:
        if found.collection_id != collection.pk:
            raise ServiceError(_("Kode kuesioner ini sudah dipakai di koleksi lain."), code="uuid_elsewhere")
        if item.id is not None and item.id != found.pk:
            raise ServiceError(_("Kode kuesioner tidak cocok dengan nomornya."), code="uuid_mismatch")
    elif item.id is not None:
        found = (
            Questionnaire.objects.select_related("group").filter(collection=collection, pk=item.id).first()
        )
        if found is None:
            raise NotFound(_("Kuesioner tidak ditemukan."), code="not_found")
        if found.client_uuid is not None:
            raise ServiceError(_("Kode kuesioner tidak cocok dengan nomornya."), code="uuid_mismatch")
    else:
        return None
    if found.group.code != item.group:
        raise ServiceError(_("Kelompok responden tidak sesuai dengan kuesioner ini."), code="wrong_group")
    found.collection = collection
    return found


def _value(spec: QuestionSpec | None, raw: str | None) -> float | None:
    """The stored value `raw` means (None: a clear); ServiceError when it is not a valid answer."""
    if raw is None or raw.strip() == "":
        return None
    if spec is None:
        raise ServiceError(_("Pertanyaan tidak dikenal."), code="wrong_question")
    return parse_value(spec.kind, spec.option_values, raw)


def _is_replay(questionnaire, item: QuestionnaireIn, stored: dict, specs: dict, user) -> bool:
    """Whether everything the item asks is already so (writes.already_saved for every answer)."""
    if item.complete and questionnaire.state != Questionnaire.State.COMPLETE:
        return False
    for a in item.answers:
        try:
            value = _value(specs.get(a.question), a.value)
        except ServiceError:
            return False
        if not writes.already_saved(stored.get(a.question), value, a.base_version, user.pk):
            return False
    return True


def _unchanged(questionnaire: Questionnaire, item: QuestionnaireIn, stored: dict) -> SyncResult:
    answers = [
        AnswerResult(a.question, UNCHANGED, stored[a.question].version if a.question in stored else 0)
        for a in item.answers
    ]
    complete = _completion("already" if item.complete else "not_requested")
    return SyncResult(questionnaire=questionnaire, created=False, answers=answers, complete=complete)


def _create(collection: Collection, item: QuestionnaireIn, user) -> tuple[Questionnaire, bool]:
    group = RespondentGroup.objects.filter(
        instrument_id=collection.period.instrument_id, code=item.group
    ).first()
    if group is None:
        raise ServiceError(_("Kelompok responden tidak dikenal."), code="unknown_group")
    try:
        with transaction.atomic():
            made = services.questionnaire_create(
                collection=collection,
                group=group,
                user=user,
                label=item.label,
                village=item.village,
                filled_on=item.filled_on,
                client_uuid=item.uuid,
            )
    except IntegrityError:  # the same uuid synced at the same moment by another request: that one made it
        made = Questionnaire.objects.select_related("group").get(client_uuid=item.uuid)
        made.collection = collection
        return made, False
    return made, True


def _check_open(questionnaire: Questionnaire, item: QuestionnaireIn, specs: dict) -> None:
    """The rules of an existing questionnaire, for every answer before any is written."""
    workflow.ensure_questionnaire_editable(questionnaire)
    for a in item.answers:
        spec = specs.get(a.question)
        if spec is not None:
            workflow.ensure_answer_editable(questionnaire.collection, questionnaire, spec)
    if item.complete and questionnaire.state != Questionnaire.State.COMPLETE:
        workflow.ensure_questionnaire_in_return_scope(questionnaire)


def _claim_uuid(questionnaire: Questionnaire, item: QuestionnaireIn) -> None:
    """A draft from the package gets the uuid the client gave it at its first sync."""
    if questionnaire.client_uuid is None:
        Questionnaire.objects.filter(pk=questionnaire.pk, client_uuid__isnull=True).update(
            client_uuid=item.uuid
        )
        questionnaire.client_uuid = item.uuid


def _apply(
    questionnaire, a: AnswerIn, spec: QuestionSpec | None, before: Answer | None, user
) -> AnswerResult:
    if spec is None:
        message = _("Pertanyaan tidak dikenal atau bukan bagian dari instrumen periode ini.")
        return AnswerResult(a.question, INVALID, message=message)
    try:
        saved = writes.questionnaire_save_answer(
            questionnaire=questionnaire,
            question=spec,
            raw_value=a.value,
            base_version=a.base_version,
            user=user,
        )
    except Conflict as exc:
        return AnswerResult(a.question, CONFLICT, exc.current_version, exc.message, conflict=exc)
    except NotAllowed:
        raise
    except ServiceError as exc:
        return AnswerResult(a.question, INVALID, before.version if before else 0, exc.message)
    value = saved.value if saved is not None else None
    if writes.already_saved(before, value, a.base_version, user.pk):
        return AnswerResult(a.question, UNCHANGED, saved.version if saved is not None else 0)
    return AnswerResult(a.question, SAVED if saved is not None else CLEARED, saved.version if saved else 0)


def _complete(questionnaire: Questionnaire, item: QuestionnaireIn, answers: list[AnswerResult], user) -> dict:
    if not item.complete:
        return _completion("not_requested")
    if any(a.status in (CONFLICT, INVALID) for a in answers):
        return _completion(
            "skipped", _("Belum ditandai lengkap: periksa dulu jawaban yang bermasalah, lalu kirim lagi.")
        )
    if questionnaire.state == Questionnaire.State.COMPLETE:
        return _completion("already")
    try:
        services.questionnaire_complete(questionnaire=questionnaire, user=user)
    except NotAllowed:
        raise
    except ServiceError as exc:
        return _completion("incomplete", exc.message, exc.details)
    return _completion("done", _("Kuesioner ditandai lengkap."))
