"""A period's reliability of the instrument as stored (scoring.models.ReliabilityReport): computing it from
the counted answers (scoring.reliability, read one province at a time), its JSON shape, its fingerprint,
and the state a page shows (not computed, queued or running, computed, outdated, failed).

The questionnaires read are the complete ones of the period's submitted-or-later collections (those the
period's scores count: scoring.services.period_chunks and assessments.snapshots.live_answers).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from assessments import snapshots
from assessments.models import Collection, Period
from instruments.models import Question, RespondentGroup, Variable
from kotan.lib import claims
from regions.models import Province
from scoring import inputs, reliability, services
from scoring.models import ReliabilityReport, Score

# A computation asked for this long ago and not finished is taken as lost: "Hitung" is offered again.
STALE_REQUEST = datetime.timedelta(minutes=15)

NOT_COMPUTED, RUNNING, READY, OUTDATED, FAILED = "none", "running", "ready", "outdated", "failed"


def fingerprint(period: Period) -> str:
    """The inputs as the period's current scores fingerprint them (each collection's counted answers and
    the instrument signature): equal fingerprints, equal reliability."""
    rows = (
        Score.objects.filter(
            collection__period=period, instrument_id=period.instrument_id, basis=Score.Basis.CURRENT
        )
        .order_by("collection_id")
        .values_list("collection_id", "input_hash")
    )
    digest = hashlib.sha256(str(period.instrument_id).encode())
    for collection_id, input_hash in rows:
        digest.update(f"{collection_id}:{input_hash};".encode())
    return digest.hexdigest()


def _matrices(period: Period, data: inputs.InstrumentData) -> dict[int, reliability.GroupMatrix]:
    """The period's item score matrices, read one province of collections at a time."""
    province_of = dict(Collection.objects.filter(period=period).values_list("pk", "regency__province__code"))
    parts = []
    for ids in services.period_chunks(period):
        answers = snapshots.live_answers(period.pk, ids)
        parts.append(reliability.group_matrices(answers, data.frames, province_of))
        del answers
    return reliability.concat_matrices(parts)


def _round(value) -> float | None:
    return None if value is None or value != value else round(float(value), 3)


def _names(period: Period) -> dict:
    inst = period.instrument
    return {
        "variables": dict(Variable.objects.filter(instrument=inst).values_list("id", "code")),
        "variable_names": list(
            Variable.objects.filter(instrument=inst).order_by("order", "pk").values_list("code", "name")
        ),
        "groups": dict(RespondentGroup.objects.filter(instrument=inst).values_list("id", "code")),
        "group_names": list(
            RespondentGroup.objects.filter(instrument=inst)
            .order_by("order", "pk")
            .values_list("code", "name")
        ),
        "questions": {
            pk: {"code": code, "text": text}
            for pk, code, text in Question.objects.filter(instrument=inst).values_list("id", "code", "text")
        },
        "provinces": dict(Province.objects.values_list("code", "name")),
    }


def reliability_data(period: Period) -> dict:
    """The period's reliability as stored JSON: {"variables": [{variable, group, k, n, alpha}],
    "provinces": [{province, variable, group, k, n, alpha}], "items": [{variable, group, question, text,
    n, alpha, r, alpha_if_deleted, raises_alpha, low_r, flagged}], "questionnaires": int, the instrument's
    variables and groups in its order as [code, name] lists ("variable_names", "group_names": lists, since
    PostgreSQL's jsonb does not keep a dict's key order) and "province_names" {code: name}}."""
    data = inputs.instrument_data(period.instrument)
    matrices = _matrices(period, data)
    result = reliability.reliability(matrices, data.frames)
    names = _names(period)

    def common(row) -> dict:
        return {
            "variable": names["variables"][row.variable_id],
            "group": names["groups"][row.group_id],
            "n": int(row.n),
            "alpha": _round(row.alpha),
        }

    return {
        "questionnaires": int(sum(len(m.scores) for m in matrices.values())),
        "variables": [common(row) | {"k": int(row.k)} for row in result.variables.itertuples()],
        "provinces": [
            common(row) | {"k": int(row.k), "province": str(row.province)}
            for row in result.provinces.itertuples()
        ],
        "items": [
            common(row)
            | {
                "question": names["questions"][row.question_id]["code"],
                "text": names["questions"][row.question_id]["text"],
                "r": _round(row.r),
                "alpha_if_deleted": _round(row.alpha_if_deleted),
                "raises_alpha": bool(row.raises_alpha),
                "low_r": bool(row.low_r),
                "flagged": bool(row.flagged),
            }
            for row in result.items.itertuples()
        ],
        "variable_names": names["variable_names"],
        "group_names": names["group_names"],
        "province_names": names["provinces"],
    }


def compute(period_id: int, *, force: bool = False) -> dict:
    """Compute and store the period's reliability unless its fingerprint is unchanged (always with
    force). Idempotent: equal inputs store equal data."""
    period = Period.objects.select_related("instrument").filter(pk=period_id).first()
    if period is None:
        return {"missing": period_id}
    stamp = fingerprint(period)
    stored = ReliabilityReport.objects.filter(period=period).first()
    if stored is not None and stored.computed_at and stored.fingerprint == stamp and not force:
        ReliabilityReport.objects.filter(pk=stored.pk).update(failed=False, computed_at=timezone.now())
        return {"unchanged": period_id}
    data = reliability_data(period)
    with transaction.atomic():
        ReliabilityReport.objects.update_or_create(
            period=period,
            defaults={"fingerprint": stamp, "data": data, "computed_at": timezone.now(), "failed": False},
        )
    return {"computed": period_id, "questionnaires": data["questionnaires"]}


def mark_requested(period_id: int) -> bool:
    """Record a "Hitung" click or a score change asking for a computation. False when one is already
    queued (asked less than STALE_REQUEST ago and not finished), so a double click computes once."""
    now = timezone.now()
    # _running() below, as a query: asked recently, not failed, not computed since.
    busy = Q(requested_at__gt=now - STALE_REQUEST, failed=False) & (
        Q(computed_at__isnull=True) | Q(computed_at__lt=F("requested_at"))
    )
    return claims.claim(
        ReliabilityReport, {"period_id": period_id}, {"requested_at": now, "failed": False}, busy
    )


def mark_failed(period_id: int) -> None:
    ReliabilityReport.objects.filter(period_id=period_id).update(failed=True, requested_at=None)


def _running(report: ReliabilityReport, now: datetime.datetime) -> bool:
    asked = report.requested_at
    open_request = asked is not None and (report.computed_at is None or report.computed_at < asked)
    return open_request and not report.failed and now - asked < STALE_REQUEST


@dataclass(frozen=True)
class ReliabilityState:
    state: str
    report: ReliabilityReport | None


def state_of(period: Period) -> ReliabilityState:
    """What the page shows: none, running, ready, outdated (answers changed since) or failed."""
    report = ReliabilityReport.objects.filter(period=period).first()
    if report is None:
        return ReliabilityState(NOT_COMPUTED, None)
    if _running(report, timezone.now()):
        return ReliabilityState(RUNNING, report)
    if report.failed:
        return ReliabilityState(FAILED, report)
    if report.computed_at is None:
        return ReliabilityState(NOT_COMPUTED, report)
    return ReliabilityState(READY if report.fingerprint == fingerprint(period) else OUTDATED, report)
