"""Builders for test data: a small instrument with every question kind, periods and collections.

make_instrument() gives 2 variables, 3 indicators and 5 questions:
  KK (weight 1)  -> KK1 (weight 1): q_likert (Likert 1-5, keluarga+instansi), q_yesno (keluarga)
                 -> KK2 (weight 2): q_choice (choice 0/1/2/3 -> scores 0,1,2,3, keluarga, optional)
  KL (weight 1)  -> KL1 (weight 1): q_number (number; thresholds 0->0, 1->1, 5->2, instansi),
                                    q_likert2 (Likert, instansi)
Groups: keluarga (quota 2), instansi (quota 1). One required evidence type "sk" supporting q_yesno.
"""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from assessments.models import Collection, Evidence, Period
from instruments.models import (
    Band,
    BandScheme,
    EvidenceType,
    Indicator,
    Instrument,
    Option,
    Question,
    RespondentGroup,
    Variable,
)

_seq = itertools.count(1)

FIVE_BANDS = [
    ("Tidak Tanggap", "0.00", "20.00"),
    ("Kurang Tanggap", "20.01", "40.00"),
    ("Cukup Tanggap", "40.01", "60.00"),
    ("Tanggap", "60.01", "80.00"),
    ("Sangat Tanggap", "80.01", "100.00"),
]


def make_band_scheme(code: str | None = None) -> BandScheme:
    scheme = BandScheme.objects.create(code=code or f"test-five-{next(_seq)}", name="Lima kategori (uji)")
    for i, (label, lo, hi) in enumerate(FIVE_BANDS):
        Band.objects.create(scheme=scheme, order=i, label=label, lower=lo, upper=hi)
    return scheme


def likert_options(question: Question) -> None:
    labels = ["Sangat tidak setuju", "Tidak setuju", "Ragu-ragu", "Setuju", "Sangat setuju"]
    Option.objects.bulk_create(
        Option(question=question, value=v, label=labels[v - 1], score=v - 1, order=v) for v in range(1, 6)
    )


def make_instrument(version: str | None = None) -> Instrument:
    inst = Instrument.objects.create(
        version=version or f"uji-{next(_seq)}", name="Instrumen uji", band_scheme=make_band_scheme()
    )
    keluarga = RespondentGroup.objects.create(
        instrument=inst, code="keluarga", name="Keluarga", unit="family", min_quota=2, order=1
    )
    instansi = RespondentGroup.objects.create(
        instrument=inst, code="instansi", name="Instansi Pemerintah", unit="non_family", min_quota=1, order=2
    )
    kk = Variable.objects.create(instrument=inst, code="KK", name="Ketahanan Keluarga", weight=1, order=1)
    kl = Variable.objects.create(instrument=inst, code="KL", name="Kelembagaan", weight=1, order=2)
    kk1 = Indicator.objects.create(variable=kk, code="KK1", name="Komunikasi keluarga", weight=1, order=1)
    kk2 = Indicator.objects.create(variable=kk, code="KK2", name="Aturan keluarga", weight=2, order=2)
    kl1 = Indicator.objects.create(variable=kl, code="KL1", name="Tim Terpadu", weight=1, order=1)

    def q(ind, code, kind, order, groups, required=True):
        question = Question.objects.create(
            instrument=inst,
            indicator=ind,
            code=code,
            text=f"Pertanyaan {code}?",
            kind=kind,
            order=order,
            required=required,
        )
        question.groups.set(groups)
        return question

    q_likert = q(kk1, "q_likert", "likert", 1, [keluarga, instansi])
    likert_options(q_likert)
    q_yesno = q(kk1, "q_yesno", "yesno", 2, [keluarga])
    Option.objects.create(question=q_yesno, value=1, label="Ya", score=1, order=1)
    Option.objects.create(question=q_yesno, value=0, label="Tidak", score=0, order=2)
    q_choice = q(kk2, "q_choice", "choice", 1, [keluarga], required=False)
    for v, label in enumerate(["Belum ada", "Draf", "Ditetapkan", "Dilaksanakan dan dievaluasi"]):
        Option.objects.create(question=q_choice, value=v, label=label, score=v, order=v)
    q_number = q(kl1, "q_number", "number", 1, [instansi])
    for v, s, label in [(0, 0, "0"), (1, 1, "1–4"), (5, 2, "5 atau lebih")]:
        Option.objects.create(question=q_number, value=v, label=label, score=s, order=v)
    q_likert2 = q(kl1, "q_likert2", "likert", 2, [instansi])
    likert_options(q_likert2)
    sk = EvidenceType.objects.create(
        instrument=inst, code="sk", name="SK Tim Terpadu P4GN", required=True, order=1
    )
    sk.questions.set([q_yesno])
    return inst


def make_period(
    instrument: Instrument | None = None,
    regencies=(),
    *,
    year: int | None = None,
    opens_days_ago: int = 10,
    deadline_in_days: int = 10,
) -> Period:
    today = timezone.localdate()
    period = Period.objects.create(
        year=year or 2000 + next(_seq),
        name="Periode uji",
        instrument=instrument or make_instrument(),
        collection_opens=today - datetime.timedelta(days=opens_days_ago),
        collection_deadline=today + datetime.timedelta(days=deadline_in_days),
        verification_deadline=today + datetime.timedelta(days=deadline_in_days + 14),
        target_count=1,
    )
    period.participants.set(regencies)
    return period


def make_collection(regency, period: Period | None = None, **period_kwargs) -> Collection:
    period = period or make_period(regencies=[regency], **period_kwargs)
    period.participants.add(regency)
    return Collection.objects.get_or_create(period=period, regency=regency)[0]


def question(instrument: Instrument, code: str) -> Question:
    return Question.objects.get(instrument=instrument, code=code)


def group(instrument: Instrument, code: str) -> RespondentGroup:
    return RespondentGroup.objects.get(instrument=instrument, code=code)


def make_score(collection: Collection, overall: float, variables: dict, *, basis: str = "current", **fields):
    """A stored Score row for a collection (as the score task would write it), category by FIVE_BANDS."""
    from scoring.models import Score

    now = timezone.now()
    category = next(label for label, _lo, hi in FIVE_BANDS if round(overall, 2) <= float(hi))
    values = {
        "overall": overall,
        "reported": round(overall, 2),
        "category": category,
        "variables": variables,
        "quota_met": True,
        "respondents": 3,
        "input_hash": f"hash-{collection.pk}-{basis}-{overall}",
        "computed_at": now,
        **fields,
    }
    if any(f.name == "checked_at" for f in Score._meta.get_fields()):
        values.setdefault("checked_at", now)
    return Score.objects.update_or_create(
        collection=collection, instrument=collection.period.instrument, basis=basis, defaults=values
    )[0]


def complete_questionnaire(collection: Collection, user, group_code: str, answers: dict):
    """A questionnaire of `group_code` filled through the services (autosave path) and marked complete."""
    from assessments import services
    from assessments.autosave import writes

    inst = collection.period.instrument
    q = services.questionnaire_create(collection=collection, group=group(inst, group_code), user=user)
    for qcode, raw in answers.items():
        writes.questionnaire_save_answer(
            questionnaire=q, question=question(inst, qcode), raw_value=raw, base_version=0, user=user
        )
    services.questionnaire_complete(questionnaire=q, user=user)
    return q


def attach_sk(collection: Collection, *questions: Question) -> Evidence:
    """The factory instrument's required evidence (SK Tim Terpadu), optionally linked to questions."""
    evidence = Evidence.objects.create(
        collection=collection,
        evidence_type=collection.period.instrument.evidence_types.get(code="sk"),
        title="SK",
        file="x",
        original_name="sk.pdf",
        content_type="application/pdf",
        size=10,
    )
    if questions:
        evidence.questions.set(questions)
    return evidence
