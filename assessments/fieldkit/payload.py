"""The field kit's request bodies: one queued questionnaire as the offline client sends it, read from JSON
into plain dataclasses, or refused with an Indonesian message (the view answers 400).

Only the shape is checked here (types, sizes, a uuid, a date); what a value means for its question is the
rule of answers.parse_value, applied when the answer is saved (sync.py) or imported (export.py).
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from kotan.lib.service_errors import ServiceError

MAX_ANSWERS = 300  # far beyond any group's questions (the Excel template allows 300 columns)
MAX_RAW_VALUE = 100  # characters of one typed answer, as autosave (autosave/responses.py)
MAX_VERSION = 2**31 - 1


@dataclass(frozen=True)
class AnswerIn:
    question: int
    value: str | None  # None or "" clears the answer
    base_version: int


@dataclass
class QuestionnaireIn:
    uuid: uuid.UUID
    id: int | None
    group: str
    label: str = ""
    village: str = ""
    filled_on: datetime.date | None = None
    answers: list[AnswerIn] = field(default_factory=list)
    complete: bool = False


def _malformed(message: str) -> ServiceError:
    return ServiceError(message, code="malformed")


def read_json(body: bytes) -> dict:
    """The request body as a JSON object, or ServiceError."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _malformed(_("Data yang dikirim bukan JSON yang valid.")) from None
    if not isinstance(data, dict):
        raise _malformed(_("Data yang dikirim bukan JSON yang valid."))
    return data


def parse_uuid(raw) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw)) if isinstance(raw, str) else _bad_uuid()
    except ValueError:
        return _bad_uuid()


def _bad_uuid():
    raise _malformed(_("Kode kuesioner (uuid) tidak valid."))


def _int(raw, message: str, *, minimum: int = 0) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not minimum <= raw <= MAX_VERSION:
        raise _malformed(message)
    return raw


def _text(raw, limit: int) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise _malformed(_("Label dan desa/kelurahan harus berupa teks."))
    return raw.strip()[:limit]


def _date(raw) -> datetime.date | None:
    if raw in (None, ""):
        return None
    try:
        day = datetime.date.fromisoformat(raw) if isinstance(raw, str) else _bad_date()
    except ValueError:
        return _bad_date()
    # As the online form (entry/forms.py) and the Excel import: no future day, nothing before 2000.
    if day > timezone.localdate():
        raise _malformed(_("Tanggal pengisian tidak boleh di masa depan."))
    if day.year < 2000:
        raise _malformed(_("Tanggal pengisian tidak valid."))
    return day


def _bad_date():
    raise _malformed(_("Tanggal pengisian tidak valid (TTTT-BB-HH)."))


def _answer(raw) -> AnswerIn:
    if not isinstance(raw, dict):
        raise _malformed(_("Daftar jawaban tidak valid."))
    value = raw.get("value")
    if isinstance(value, bool) or not (value is None or isinstance(value, str | int | float)):
        raise _malformed(_("Nilai jawaban tidak valid."))
    value = None if value is None else str(value)
    if value is not None and len(value) > MAX_RAW_VALUE:
        raise _malformed(_("Jawaban terlalu panjang."))
    return AnswerIn(
        question=_int(raw.get("question"), _("Pertanyaan tidak dikenal."), minimum=1),
        value=value,
        base_version=_int(raw.get("base_version", 0), _("Versi jawaban tidak valid.")),
    )


def questionnaire(data) -> QuestionnaireIn:
    """One queued questionnaire of the sync body (or of the export's list)."""
    if not isinstance(data, dict):
        raise _malformed(_("Data kuesioner tidak valid."))
    answers = data.get("answers") or []
    if not isinstance(answers, list) or len(answers) > MAX_ANSWERS:
        raise _malformed(_("Daftar jawaban tidak valid."))
    group = data.get("group")
    if not isinstance(group, str) or not group.strip():
        raise _malformed(_("Kelompok responden tidak dikenal."))
    raw_id = data.get("id")
    parsed = [_answer(a) for a in answers]
    if len({a.question for a in parsed}) != len(parsed):
        raise _malformed(_("Satu pertanyaan dijawab lebih dari sekali."))
    return QuestionnaireIn(
        uuid=parse_uuid(data.get("uuid")),
        id=None if raw_id is None else _int(raw_id, _("Nomor kuesioner tidak valid."), minimum=1),
        group=group.strip()[:40],
        label=_text(data.get("label"), 200),
        village=_text(data.get("village"), 120),
        filled_on=_date(data.get("filled_on")),
        answers=parsed,
        complete=data.get("complete") is True,
    )
