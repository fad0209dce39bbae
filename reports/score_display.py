"""What a collection page shows of its score: provisional while collecting, the stored scores after
submit (or "sedang dihitung"), and the submitted-vs-current difference per variable with its reasons
(reports.score_changes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assessments.models import Collection, Questionnaire
from assessments.review import quality
from reports.score_changes import ScoreChanges, collection_changes
from scoring.models import Score
from scoring.services import ScoreView, provisional_score


@dataclass
class ScoreCard:
    state: str  # "provisional", "none", "pending", "stored"
    current: ScoreView | None = None
    submitted: ScoreView | None = None
    verified: bool = False
    differences: list[dict] = field(default_factory=list)
    changes: ScoreChanges | None = None  # why the current score differs from the submitted one
    jumps: list[str] = field(default_factory=list)  # variables that moved > 25 points since last year


def _view(score: Score, names: dict[str, str]) -> ScoreView:
    return ScoreView(
        overall=score.overall,
        reported=score.reported,
        category=score.category,
        variables=[(names[c], score.variables[c]) for c in names if c in score.variables],
        quota_met=score.quota_met,
        provisional=False,
        computed_at=score.computed_at,
    )


def score_card(collection: Collection) -> ScoreCard:
    if collection.state == Collection.State.DRAFT:
        view = provisional_score(collection)
        return ScoreCard(state="provisional" if view else "none", current=view)
    instrument = collection.period.instrument
    names = dict(instrument.variables.order_by("order").values_list("code", "name"))
    stored = {s.basis: s for s in Score.objects.filter(collection=collection, instrument=instrument)}
    current = stored.get(Score.Basis.CURRENT)
    latest = (
        Questionnaire.objects.filter(collection=collection, state=Questionnaire.State.COMPLETE)
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    if current is None or (latest is not None and current.checked_at < latest):
        return ScoreCard(state="pending", current=_view(current, names) if current else None)
    card = ScoreCard(
        state="stored",
        current=_view(current, names),
        verified=collection.state in (Collection.State.VERIFIED, Collection.State.FINAL),
    )
    last_year = (
        Score.objects.filter(
            collection__regency_id=collection.regency_id,
            collection__period__year__lt=collection.period.year,
            basis=Score.Basis.CURRENT,
        )
        .order_by("-collection__period__year")
        .values_list("variables", flat=True)
        .first()
    )
    if last_year:
        card.jumps = list(
            quality.variable_jumps(
                {names[c]: v for c, v in current.variables.items() if c in names},
                {names[c]: v for c, v in last_year.items() if c in names},
            ).values()
        )
    submitted = stored.get(Score.Basis.SUBMITTED)
    if submitted is not None:
        card.submitted = _view(submitted, names)
        for code, name in names.items():
            before, after = submitted.variables.get(code), current.variables.get(code)
            if before is not None and after is not None:
                card.differences.append(
                    {"name": name, "submitted": before, "current": after, "delta": after - before}
                )
        card.differences.append(
            {
                "name": "IKOTAN",
                "submitted": submitted.overall,
                "current": current.overall,
                "delta": current.overall - submitted.overall,
            }
        )
        card.changes = collection_changes(collection, submitted, current)
    return card
