"""Instruments as plain data: load the default and the band schemes, copy a version, build from data.

One plain structure (see instrument_to_data) is the meeting point of the default instrument
(default.py), the XLSX export/import (xlsx.py) and "Salin ke versi baru": each
turns an instrument into this structure or builds a new instrument from it, so the three cannot drift.
Building never touches an existing instrument: a new version is always a new row with new children.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from kotan.lib.service_errors import ServiceError

from . import default as instrument_default
from .models import (
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

# Codes: letters, digits, '.', '_' and '-' (question codes such as "KK1.1"); the models' SlugFields
# are only checked by forms, and the admin uses this same pattern.
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CODE_MAX = 30
VERSION_MAX = Instrument._meta.get_field("version").max_length
NAME_MAX = Instrument._meta.get_field("name").max_length
KINDS = {c.value for c in Question.Kind}


def options_problems(kind: str, options: list[dict]) -> list[str]:
    """What is wrong with a question's options for its kind (empty when valid). Messages in Indonesian.

    Likert: exactly the values 1..5. Yes/no: exactly 1 (ya) and 0 (tidak). Choice: at least two options.
    Number: at least two thresholds, the lowest 0. All: distinct values, scores >= 0, highest score > 0.
    """
    problems = []
    values = [o["value"] for o in options]
    scores = [o["score"] for o in options]
    if len(set(values)) != len(values):
        problems.append(_("ada nilai opsi yang sama lebih dari sekali"))
    if any(s < 0 for s in scores):
        problems.append(_("skor opsi tidak boleh negatif"))
    if kind == Question.Kind.LIKERT and sorted(values) != [1.0, 2.0, 3.0, 4.0, 5.0]:
        problems.append(_("jenis likert harus punya tepat lima opsi bernilai 1 sampai 5"))
    elif kind == Question.Kind.YESNO and sorted(values) != [0.0, 1.0]:
        problems.append(_("jenis yesno harus punya tepat dua opsi: 1 (ya) dan 0 (tidak)"))
    elif kind == Question.Kind.CHOICE and len(values) < 2:
        problems.append(_("jenis choice harus punya paling sedikit dua opsi"))
    elif kind == Question.Kind.NUMBER:
        if len(values) < 2:
            problems.append(_("jenis number harus punya paling sedikit dua ambang"))
        elif min(values) != 0:
            problems.append(_("ambang terendah jenis number harus 0"))
        if any(v < 0 for v in values):
            problems.append(_("ambang jenis number tidak boleh negatif"))
    if scores and max(scores) <= 0:
        problems.append(_("paling sedikit satu opsi harus berskor lebih dari 0"))
    return problems


# --- Band schemes ---------------------------------------------------------------------------------------


def band_schemes_ensure() -> list[str]:
    """Create the shipped band schemes that do not exist yet (by code); return the codes created.

    An existing scheme is left as it is: BNN pusat may have edited it in the admin.
    """
    created = []
    with transaction.atomic():
        for spec in instrument_default.BAND_SCHEMES:
            if BandScheme.objects.filter(code=spec["code"]).exists():
                continue
            scheme = BandScheme.objects.create(
                code=spec["code"],
                name=spec["name"],
                kind=spec["kind"],
                scale_min=spec["scale_min"],
                scale_max=spec["scale_max"],
                decimals=spec["decimals"],
                relative_top=spec["relative_top"],
                description=spec["description"],
            )
            Band.objects.bulk_create(
                Band(scheme=scheme, order=order, label=label, lower=lower, upper=upper)
                for order, (label, lower, upper) in enumerate(spec["bands"], start=1)
            )
            created.append(scheme.code)
    return created


# --- Instrument <-> plain data --------------------------------------------------------------------------


def instrument_to_data(instrument: Instrument) -> dict:
    """The whole instrument as plain data (dicts, lists, str, Decimal weights, float option values).

    {version, name, description, band_scheme (code),
     groups: [{code, name, unit, min_quota, order}],
     variables: [{code, name, weight, order, indicators: [{code, name, weight, order,
         questions: [{code, text, help_text, kind, weight, required, order, groups: [codes],
                      options: [{value, label, score, order}]}]}]}],
     evidence_types: [{code, name, required, order, questions: [codes]}]}
    """
    questions = Question.objects.order_by("order", "id").prefetch_related(
        Prefetch("groups", queryset=RespondentGroup.objects.order_by("order", "id")),
        Prefetch("options", queryset=Option.objects.order_by("order", "value")),
    )
    variables = (
        Variable.objects.filter(instrument=instrument)
        .order_by("order", "id")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("order", "id").prefetch_related(
                    Prefetch("questions", queryset=questions)
                ),
            )
        )
    )
    evidence = (
        EvidenceType.objects.filter(instrument=instrument)
        .order_by("order", "id")
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "id")))
    )
    return {
        "version": instrument.version,
        "name": instrument.name,
        "description": instrument.description,
        "band_scheme": instrument.band_scheme.code,
        "groups": [
            {"code": g.code, "name": g.name, "unit": g.unit, "min_quota": g.min_quota, "order": g.order}
            for g in RespondentGroup.objects.filter(instrument=instrument).order_by("order", "id")
        ],
        "variables": [
            {
                "code": v.code,
                "name": v.name,
                "weight": v.weight,
                "order": v.order,
                "indicators": [
                    {
                        "code": i.code,
                        "name": i.name,
                        "weight": i.weight,
                        "order": i.order,
                        "questions": [
                            {
                                "code": q.code,
                                "text": q.text,
                                "help_text": q.help_text,
                                "kind": q.kind,
                                "weight": q.weight,
                                "required": q.required,
                                "order": q.order,
                                "groups": [g.code for g in q.groups.all()],
                                "options": [
                                    {"value": o.value, "label": o.label, "score": o.score, "order": o.order}
                                    for o in q.options.all()
                                ],
                            }
                            for q in i.questions.all()
                        ],
                    }
                    for i in v.indicators.all()
                ],
            }
            for v in variables
        ],
        "evidence_types": [
            {
                "code": e.code,
                "name": e.name,
                "required": e.required,
                "order": e.order,
                "questions": [q.code for q in e.questions.all()],
            }
            for e in evidence
        ],
    }


def _check_version(version: str, name: str) -> None:
    version = (version or "").strip()
    if not version:
        raise ServiceError(_("Versi instrumen wajib diisi."), code="version_empty")
    if len(version) > VERSION_MAX:
        raise ServiceError(
            _("Versi instrumen paling panjang %(n)d karakter.") % {"n": VERSION_MAX}, code="version_long"
        )
    if not (name or "").strip():
        raise ServiceError(_("Nama instrumen wajib diisi."), code="name_empty")
    if len(name) > NAME_MAX:
        raise ServiceError(
            _("Nama instrumen paling panjang %(n)d karakter.") % {"n": NAME_MAX}, code="name_long"
        )
    if Instrument.objects.filter(version=version).exists():
        raise ServiceError(
            _("Versi instrumen '%(v)s' sudah ada. Pilih versi lain.") % {"v": version}, code="version_taken"
        )


def instrument_create(
    *,
    data: dict,
    version: str | None = None,
    name: str | None = None,
    copied_from: Instrument | None = None,
) -> Instrument:
    """Build a new instrument (all its children) from plain data in one transaction.

    `data` must be valid (the default data is tested, data from a stored instrument is valid, the XLSX
    import validates first); a taken version or an unknown band scheme raises ServiceError.
    """
    version = (version or data["version"]).strip()
    name = (name or data["name"]).strip()
    _check_version(version, name)
    scheme = BandScheme.objects.filter(code=data["band_scheme"]).first()
    if scheme is None:
        raise ServiceError(
            _("Skema kategori '%(c)s' tidak dikenal.") % {"c": data["band_scheme"]}, code="unknown_scheme"
        )
    with transaction.atomic():
        inst = Instrument.objects.create(
            version=version,
            name=name,
            description=data.get("description", ""),
            band_scheme=scheme,
            copied_from=copied_from,
        )
        groups = _create_groups(inst, data["groups"])
        question_rows = _create_tree(inst, data["variables"])
        _create_options_and_groups(question_rows, groups)
        _create_evidence_types(inst, data["evidence_types"], {row.code: row for _, row in question_rows})
    return inst


def _create_groups(inst: Instrument, groups: list[dict]) -> dict[str, RespondentGroup]:
    created = RespondentGroup.objects.bulk_create(
        RespondentGroup(
            instrument=inst,
            code=g["code"],
            name=g["name"],
            unit=g["unit"],
            min_quota=g["min_quota"],
            order=g["order"],
        )
        for g in groups
    )
    return {g.code: g for g in created}


def _create_tree(inst: Instrument, variables: list[dict]) -> list[tuple[dict, Question]]:
    """Variables, their indicators and their questions; returns each question's data with its row."""
    created = Variable.objects.bulk_create(
        Variable(instrument=inst, code=v["code"], name=v["name"], weight=v["weight"], order=v["order"])
        for v in variables
    )
    indicator_rows = [
        (i, Indicator(variable=var, code=i["code"], name=i["name"], weight=i["weight"], order=i["order"]))
        for v, var in zip(variables, created, strict=True)
        for i in v["indicators"]
    ]
    Indicator.objects.bulk_create(row for _, row in indicator_rows)
    question_rows = [
        (
            q,
            Question(
                instrument=inst,
                indicator=ind,
                code=q["code"],
                text=q["text"],
                help_text=q.get("help_text", ""),
                kind=q["kind"],
                weight=q["weight"],
                required=q["required"],
                order=q["order"],
            ),
        )
        for i, ind in indicator_rows
        for q in i["questions"]
    ]
    Question.objects.bulk_create(row for _, row in question_rows)
    return question_rows


def _create_options_and_groups(question_rows: list[tuple[dict, Question]], groups: dict) -> None:
    Option.objects.bulk_create(
        Option(question=row, value=o["value"], label=o["label"], score=o["score"], order=o["order"])
        for q, row in question_rows
        for o in q["options"]
    )
    through = Question.groups.through
    through.objects.bulk_create(
        through(question_id=row.pk, respondentgroup_id=groups[code].pk)
        for q, row in question_rows
        for code in q["groups"]
    )


def _create_evidence_types(
    inst: Instrument, evidence_types: list[dict], questions: dict[str, Question]
) -> None:
    evidence_rows = [
        (
            e,
            EvidenceType(
                instrument=inst, code=e["code"], name=e["name"], required=e["required"], order=e["order"]
            ),
        )
        for e in evidence_types
    ]
    EvidenceType.objects.bulk_create(row for _, row in evidence_rows)
    e_through = EvidenceType.questions.through
    e_through.objects.bulk_create(
        e_through(evidencetype_id=row.pk, question_id=questions[code].pk)
        for e, row in evidence_rows
        for code in e["questions"]
    )


def instrument_copy(*, instrument: Instrument, version: str, name: str) -> Instrument:
    """Copy an instrument (e.g. last year's, even when locked) to a new, editable version."""
    return instrument_create(
        data=instrument_to_data(instrument), version=version, name=name, copied_from=instrument
    )


def copy_version_suggest(instrument: Instrument) -> str:
    """A free version string for a copy: '<old>-salinan-N' with the smallest N not taken."""
    n = 1
    while True:
        suffix = f"-salinan-{n}"
        candidate = instrument.version[: VERSION_MAX - len(suffix)] + suffix
        if not Instrument.objects.filter(version=candidate).exists():
            return candidate
        n += 1


def instrument_load_default() -> tuple[Instrument, bool]:
    """The default instrument version, created (with the band schemes) if missing; (instrument, created).

    An existing version is never modified, locked or not: it may have been edited in the admin.
    """
    band_schemes_ensure()
    existing = Instrument.objects.filter(version=instrument_default.DEFAULT_VERSION).first()
    if existing is not None:
        return existing, False
    return instrument_create(data=instrument_default.default_instrument_data()), True


def decimal_weight(value) -> Decimal:
    """A weight as the models store it (4 decimals)."""
    return Decimal(str(value)).quantize(Decimal("0.0001"))
