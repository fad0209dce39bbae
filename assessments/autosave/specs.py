"""What autosave needs to know of a question, held in memory per instrument.

Autosave is the hottest request of the system (every answer a BNNK or respondent changes). Reading the
question, its options and its groups from the database each time cost three queries. An instrument is
locked (read-only in the admin) as soon as one of its periods has a questionnaire, and an answer is only
ever saved into a questionnaire, so the questions an autosave asks about do not change: one query per
instrument and process fills this cache. Saving or deleting any instrument part clears it (a test that
edits a fresh instrument, or an admin edit of an unlocked one); entries also expire after an hour so a
long-lived worker cannot keep serving an instrument that was unlocked and edited in another process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.db.models.signals import m2m_changed, post_delete, post_save

from instruments.models import Instrument, Option, Question, RespondentGroup

TTL_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    """The fields of a Question that saving an answer reads, plus its option values and groups."""

    pk: int
    instrument_id: int
    indicator_id: int
    code: str
    kind: str
    required: bool
    option_labels: dict[float, str]  # option value -> label, in the question's option order
    group_ids: frozenset[int]

    @property
    def option_values(self) -> list[float]:
        return list(self.option_labels)


_lock = threading.Lock()
_cache: dict[int, tuple[float, dict[int, QuestionSpec]]] = {}  # instrument id -> (loaded at, specs)


def _load(instrument_id: int) -> dict[int, QuestionSpec]:
    questions = (
        Question.objects.filter(instrument_id=instrument_id).order_by().prefetch_related("options", "groups")
    )
    return {
        q.pk: QuestionSpec(
            pk=q.pk,
            instrument_id=q.instrument_id,
            indicator_id=q.indicator_id,
            code=q.code,
            kind=q.kind,
            required=q.required,
            option_labels={o.value: o.label for o in q.options.all()},
            group_ids=frozenset(g.pk for g in q.groups.all()),
        )
        for q in questions
    }


def instrument_specs(instrument_id: int) -> dict[int, QuestionSpec]:
    """Every question of the instrument by id (one query set the first time in a process, then none)."""
    now = time.monotonic()
    entry = _cache.get(instrument_id)
    if entry is None or now - entry[0] > TTL_SECONDS:
        specs = _load(instrument_id)
        with _lock:
            _cache[instrument_id] = (now, specs)
        return specs
    return entry[1]


def question_spec(instrument_id: int, question_id: int) -> QuestionSpec | None:
    """The question of this instrument with that id, or None (unknown, or of another instrument)."""
    return instrument_specs(instrument_id).get(question_id)


def spec_of(question: Question | QuestionSpec) -> QuestionSpec:
    """A spec for a Question object (from the cache when it is there) or the spec itself."""
    if isinstance(question, QuestionSpec):
        return question
    spec = question_spec(question.instrument_id, question.pk)
    if spec is None:  # a question created after its instrument was cached in this process
        clear()
        spec = question_spec(question.instrument_id, question.pk)
    return spec


def clear(**_kwargs) -> None:
    with _lock:
        _cache.clear()


for _model in (Instrument, RespondentGroup, Question, Option):
    post_save.connect(clear, sender=_model, dispatch_uid=f"question_specs_save_{_model.__name__}")
    post_delete.connect(clear, sender=_model, dispatch_uid=f"question_specs_delete_{_model.__name__}")
m2m_changed.connect(clear, sender=Question.groups.through, dispatch_uid="question_specs_groups")
