"""Why a collection's current score differs from its submitted one: each reason with its figures
(questionnaires excluded, dropped or added, answers changed, instrument or band changes) and, where the
engine can tell, the points it moved the IKOTAN index.

Method. The submitted score comes from the first-submission snapshot, the current one from the counted
answers now (scoring.services). The two answer sets are compared questionnaire by questionnaire and answer
by answer. The engine (scoring.engine, on the instrument as it is now) then scores five steps in one
pass: the snapshot; without the questionnaires excluded since; without those otherwise no longer counted;
with the questionnaires counted since; the answers now. Each step's change is that reason's share. What the
stored scores differ by beyond those steps belongs to the instrument when a score was computed under
another instrument signature, to a recompute still due when a stored fingerprint no longer matches its
answers, and otherwise is a difference whose cause is not recorded. Shares depend on the order of the
steps (an exclusion weighs differently before and after corrections); they always add up to the total.

The comparison is cached per pair of stored input fingerprints, like scoring.gains: a page view after the
first reads no answer. Texts are built per request (the language and the review events are not cached).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from django.core.cache import cache
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments import snapshots
from assessments.models import Answer, Collection, Questionnaire, ReviewEvent, SubmissionSnapshot
from instruments.models import RespondentGroup
from scoring import engine, inputs
from scoring.models import Score

CACHE_SECONDS = 30 * 24 * 3600  # the key changes with the inputs; old entries simply expire
POINT = 0.005  # less than half of the hundredth the pages show: no difference
STEPS = ("excluded", "dropped", "added", "answers")  # the engine's order, after the snapshot
EVENT_ACTIONS = (ReviewEvent.Action.EXCLUDED, ReviewEvent.Action.RETURNED)
HistoricalAnswer = Answer.history.model


@dataclass(frozen=True)
class Stored:
    """What the comparison reads of one stored Score row."""

    overall: float
    reported: float
    category: str
    variables: dict
    signature: str
    input_hash: str
    quotas: dict  # group code -> minimum quota the row was computed with

    @classmethod
    def of(cls, score: Score) -> Stored:
        return cls(
            overall=score.overall,
            reported=score.reported,
            category=score.category,
            variables=dict(score.variables),
            signature=score.signature,
            input_hash=score.input_hash,
            quotas={code: g.get("quota") for code, g in (score.groups or {}).items()},
        )

    def shows_as(self, other: Stored) -> bool:
        """Whether a page shows the two alike (index, category and every variable)."""
        return (
            abs(self.overall - other.overall) < POINT
            and abs(self.reported - other.reported) < POINT
            and self.category == other.category
            and self.variables.keys() == other.variables.keys()
            and all(abs(v - other.variables[c]) < POINT for c, v in self.variables.items())
        )


@dataclass
class Diff:
    """How the counted questionnaires and answers now differ from the snapshot."""

    removed: dict[int, int]  # questionnaire id -> group id: sent, not counted now
    added: dict[int, int]  # questionnaire id -> group id: counted now, not sent
    changed: pd.DataFrame  # questionnaire_id, question_id, group_id: answers that differ on the others


@dataclass
class Figures:
    """A collection's comparison, cached per pair of input fingerprints (ids and numbers, no text)."""

    excluded: dict[int, int]  # questionnaire id -> group id
    dropped: dict[int, int]  # deleted or back to draft
    added: dict[int, int]
    answers: dict[int, tuple[int, int]]  # group id -> (answers changed, questionnaires)
    unrecorded: int  # changed answers without an answer-history row after the snapshot
    steps: list[float] | None  # engine overall of the five steps; None when one cannot be scored
    signature: str  # the instrument's signature now
    quotas: dict[str, int]  # group code -> quota now
    group_codes: dict[int, str]
    bands: engine.BandSpec
    fresh: bool = True  # both stored fingerprints match the answers and instrument now


@dataclass
class Reason:
    kind: str  # excluded, dropped, added, answers, instrument, pending, bands, unrecorded
    text: str
    points: float | None = None  # the share of the IKOTAN difference, when the engine tells it
    groups: list[str] = field(default_factory=list)  # the figures per respondent group
    details: list[str] = field(default_factory=list)


@dataclass
class ScoreChanges:
    delta: float
    reasons: list[Reason]
    with_points: bool


# --- pure: comparing and scoring ------------------------------------------------------------------------


def compare(snapshot: pd.DataFrame, live: pd.DataFrame) -> Diff:
    """Questionnaires sent but not counted now, counted now but not sent, and the answers that differ
    (changed, added or cleared) on the questionnaires in both."""
    sent = dict(zip(snapshot["questionnaire_id"].tolist(), snapshot["group_id"].tolist(), strict=True))
    now = dict(zip(live["questionnaire_id"].tolist(), live["group_id"].tolist(), strict=True))
    both = sent.keys() & now.keys()
    keys = ["questionnaire_id", "question_id"]
    merged = snapshot[snapshot["questionnaire_id"].isin(both)][[*keys, "group_id", "value"]].merge(
        live[live["questionnaire_id"].isin(both)][[*keys, "group_id", "value"]],
        on=keys,
        how="outer",
        suffixes=("_sent", "_now"),
    )
    differ = merged["value_sent"].ne(merged["value_now"])  # NaN on one side counts as a change
    changed = merged.loc[differ, keys].assign(
        group_id=merged.loc[differ, "questionnaire_id"].map(now).astype("int64")
    )
    return Diff(
        removed={q: g for q, g in sent.items() if q not in now},
        added={q: g for q, g in now.items() if q not in sent},
        changed=changed.reset_index(drop=True),
    )


def engine_steps(
    snapshot: pd.DataFrame, live: pd.DataFrame, excluded, dropped, added, frames: engine.InstrumentFrames
) -> list[float] | None:
    """The overall index of the five steps (snapshot, - excluded, - dropped, + added, answers now), scored
    in one pass. Only `overall` is read: the steps share questionnaire ids, so their quotas are not."""
    first = snapshot[~snapshot["questionnaire_id"].isin(list(excluded))]
    second = first[~first["questionnaire_id"].isin(list(dropped))]
    third = pd.concat([second, live[live["questionnaire_id"].isin(list(added))]], ignore_index=True)
    steps = [snapshot, first, second, third, live]
    frame = pd.concat([s.assign(collection_id=i) for i, s in enumerate(steps)], ignore_index=True)
    if frame.empty:
        return None
    overall = engine.score(frame, frames).overall["overall"].clip(0.0, 100.0)
    if len(overall) < len(steps):
        return None  # a step without any counted answer has no index
    return [float(overall.loc[i]) for i in range(len(steps))]


def answer_counts(changed: pd.DataFrame) -> dict[int, tuple[int, int]]:
    """Group id -> (answers changed, questionnaires they are on)."""
    groups = changed["group_id"].tolist()
    answers = Counter(groups)
    questionnaires = Counter(
        g for g, _q in set(zip(groups, changed["questionnaire_id"].tolist(), strict=True))
    )
    return {int(g): (n, questionnaires[g]) for g, n in answers.items()}


# --- loading (a fixed number of queries) and caching ------------------------------------------------------


def _first_snapshot(collection: Collection):
    """(taken_at, answers frame) of the first submission, or None."""
    found = (
        SubmissionSnapshot.objects.filter(collection=collection, round=1)
        .order_by("taken_at", "id")
        .values_list("taken_at", "rows")
        .first()
    )
    if found is None:
        return None
    return found[0], snapshots.snapshot_frame({collection.pk: found[1]})


def _recorded(collection: Collection, since, changed: pd.DataFrame) -> int:
    """How many of the changed answers have an answer-history row written after the snapshot."""
    if changed.empty:
        return 0
    rows = set(
        HistoricalAnswer.objects.filter(
            questionnaire_id__in=Questionnaire.objects.filter(collection=collection).values("pk"),
            history_date__gt=since,
        )
        .values_list("questionnaire_id", "question_id")
        .distinct()
    )
    return sum(
        1
        for key in changed[["questionnaire_id", "question_id"]].itertuples(index=False)
        if tuple(key) in rows
    )


def _split_removed(removed: dict[int, int]) -> tuple[dict[int, int], dict[int, int]]:
    """The questionnaires no longer counted: excluded by the BNNP, and the others (deleted, back to draft)."""
    if not removed:
        return {}, {}
    states = dict(Questionnaire.objects.filter(pk__in=list(removed)).values_list("pk", "state"))
    excluded = {q: g for q, g in removed.items() if states.get(q) == Questionnaire.State.EXCLUDED}
    return excluded, {q: g for q, g in removed.items() if q not in excluded}


def _fresh(frame: pd.DataFrame, collection_id: int, signature: str, stored: Stored) -> bool:
    return inputs.input_hashes(frame, signature).get(collection_id, "") == stored.input_hash


def load_figures(collection: Collection, submitted: Stored, current: Stored) -> Figures | None:
    """The comparison from the database: snapshot, answers now, states of the questionnaires no longer
    counted, answer history and the instrument (about a dozen queries, however many questionnaires).
    None without a first-submission snapshot."""
    first = _first_snapshot(collection)
    if first is None:
        return None
    taken_at, snapshot = first
    live = snapshots.live_answers(collection.period_id, [collection.pk])
    diff = compare(snapshot, live)
    excluded, dropped = _split_removed(diff.removed)
    data = inputs.instrument_data(collection.period.instrument)
    return Figures(
        excluded=excluded,
        dropped=dropped,
        added=diff.added,
        answers=answer_counts(diff.changed),
        unrecorded=len(diff.changed) - _recorded(collection, taken_at, diff.changed),
        steps=engine_steps(snapshot, live, excluded, dropped, diff.added, data.frames),
        signature=data.signature,
        quotas={
            data.group_codes[int(g)]: int(q)
            for g, q in data.frames.groups[["group_id", "min_quota"]].to_numpy()
        },
        group_codes=data.group_codes,
        bands=data.frames.bands,
        fresh=_fresh(snapshot, collection.pk, data.signature, submitted)
        and _fresh(live, collection.pk, data.signature, current),
    )


def cached_figures(collection: Collection, submitted: Stored, current: Stored) -> Figures | None:
    # A Redis outage answers as an empty cache (kotan.infra.cache): it only costs the comparison.
    key = f"kotan:score-changes:{collection.pk}:{submitted.input_hash}:{current.input_hash}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    figures = load_figures(collection, submitted, current)
    if figures is not None:
        cache.set(key, figures, CACHE_SECONDS)
    return figures


# --- pure: the reasons as text ----------------------------------------------------------------------------


def _by_group(ids: dict[int, int], names: dict[int, str]) -> list[str]:
    counts = Counter(ids.values())
    return [f"{name} {counts[g]}" for g, name in names.items() if counts[g]]


def _share(steps: list[float] | None, kind: str) -> float | None:
    if steps is None:
        return None
    i = STEPS.index(kind)
    return steps[i + 1] - steps[i]


def _exclusion_reason(figures: Figures, events: list, names: dict[int, str]) -> Reason:
    notes = {e.questionnaire_id: e.note for e in events if e.action == ReviewEvent.Action.EXCLUDED}
    counted = Counter(notes.get(q) or _("tanpa alasan tercatat") for q in figures.excluded)
    why = "; ".join(f"“{note}” ({n})" for note, n in counted.most_common())
    n = len(figures.excluded)
    return Reason(
        "excluded",
        ngettext("%(n)d kuesioner dikecualikan BNNP", "%(n)d kuesioner dikecualikan BNNP", n) % {"n": n},
        _share(figures.steps, "excluded"),
        _by_group(figures.excluded, names),
        [_("Alasan: %(why)s") % {"why": why}],
    )


def _questionnaire_reasons(figures: Figures, names: dict[int, str]) -> list[Reason]:
    out = []
    if figures.dropped:
        n = len(figures.dropped)
        text = ngettext(
            "%(n)d kuesioner tidak dihitung lagi (dihapus atau kembali ke draf)",
            "%(n)d kuesioner tidak dihitung lagi (dihapus atau kembali ke draf)",
            n,
        )
        out.append(
            Reason(
                "dropped",
                text % {"n": n},
                _share(figures.steps, "dropped"),
                _by_group(figures.dropped, names),
            )
        )
    if figures.added:
        n = len(figures.added)
        text = ngettext(
            "%(n)d kuesioner mulai dihitung setelah dikirim (baru, diselesaikan atau dihitung lagi)",
            "%(n)d kuesioner mulai dihitung setelah dikirim (baru, diselesaikan atau dihitung lagi)",
            n,
        )
        out.append(
            Reason("added", text % {"n": n}, _share(figures.steps, "added"), _by_group(figures.added, names))
        )
    return out


def _record_note(figures: Figures, returns: list, n_answers: int) -> str:
    if returns:
        last = formats.date_format(timezone.localtime(returns[-1].at), "j M Y")
        said = ngettext(
            "Setelah dikembalikan %(n)d kali (terakhir %(date)s)",
            "Setelah dikembalikan %(n)d kali (terakhir %(date)s)",
            len(returns),
        ) % {"n": len(returns), "date": last}
    else:
        said = _("Tanpa pengembalian tercatat")
    if figures.unrecorded == n_answers:
        return _("%(said)s; perubahan ini tidak ada di riwayat jawaban.") % {"said": said}
    if figures.unrecorded:
        return _("%(said)s; %(n)d di antaranya tidak ada di riwayat jawaban.") % {
            "said": said,
            "n": figures.unrecorded,
        }
    return f"{said}."


def _answer_reason(figures: Figures, returns: list, names: dict[int, str]) -> Reason:
    n_answers = sum(a for a, _q in figures.answers.values())
    n_questionnaires = sum(q for _a, q in figures.answers.values())
    per_group = [
        _("%(name)s %(a)d jawaban/%(q)d kuesioner")
        % {"name": name, "a": figures.answers[g][0], "q": figures.answers[g][1]}
        for g, name in names.items()
        if g in figures.answers
    ]
    text = ngettext(
        "%(a)d jawaban diubah pada %(q)d kuesioner setelah dikirim",
        "%(a)d jawaban diubah pada %(q)d kuesioner setelah dikirim",
        n_answers,
    ) % {"a": n_answers, "q": n_questionnaires}
    return Reason(
        "answers",
        text,
        _share(figures.steps, "answers"),
        per_group,
        [_record_note(figures, returns, n_answers)],
    )


def data_reasons(figures: Figures, events: list, names: dict[int, str]) -> list[Reason]:
    """Exclusions, questionnaires dropped or added, and answers changed since the first submission.
    `events`: the collection's EXCLUDED and RETURNED review events, oldest first; `names`: group id ->
    name in instrument order."""
    out = [_exclusion_reason(figures, events, names)] if figures.excluded else []
    out += _questionnaire_reasons(figures, names)
    if figures.answers:
        returns = [e for e in events if e.action == ReviewEvent.Action.RETURNED]
        out.append(_answer_reason(figures, returns, names))
    return out


def _band_parts(figures: Figures, side: Stored) -> list[str]:
    """What of the band scheme a row computed under another instrument disagrees with now."""
    bands = figures.bands
    expected = float(engine.reported(pd.Series([side.overall]), bands).iloc[0])
    parts = []
    if abs(expected - side.reported) > 0.5 * 10**-bands.decimals:
        parts.append(_("skala skema kategori"))
    elif (
        bands.kind == engine.FIXED
        and side.category
        and engine.fixed_categories(pd.Series([side.reported]), bands).iloc[0] != side.category
    ):
        parts.append(_("batas atau nama kategori"))
    return parts


def _instrument_reason(figures: Figures, stale: Stored, which: str, names_by_code: dict, points) -> Reason:
    parts = [
        _("kuota %(group)s %(old)s → %(new)s")
        % {"group": names_by_code.get(code, code), "old": old, "new": new}
        for code, new in figures.quotas.items()
        for old in [stale.quotas.get(code)]
        if old is not None and old != new
    ]
    parts += _band_parts(figures, stale)
    if parts:
        text = _("Instrumen diubah setelah skor %(which)s dihitung: %(what)s") % {
            "which": which,
            "what": "; ".join(parts),
        }
    else:
        text = _("Instrumen/bobot diubah setelah skor %(which)s dihitung") % {"which": which}
    return Reason(
        "instrument", text, points, details=[_("Skor itu sedang dihitung ulang dengan instrumen terbaru.")]
    )


def rest_reason(
    figures: Figures, submitted: Stored, current: Stored, names_by_code: dict, explained: float
) -> Reason | None:
    """What the data steps leave of the stored difference: an instrument change (a row computed under
    another signature), a recompute still due, or a cause not recorded."""
    delta = current.overall - submitted.overall
    rest = delta - explained if figures.steps is not None else None
    stale = [(s, w) for s, w in ((submitted, _("saat dikirim")), (current, _("terkini"))) if s.signature]
    stale = [(s, w) for s, w in stale if s.signature != figures.signature]
    # Both rows under the same earlier instrument still compare like with like: only a share it left
    # (or one the engine cannot tell) is the instrument's.
    alike = submitted.signature == current.signature and rest is not None and abs(rest) < POINT
    if stale and not alike:
        return _instrument_reason(figures, stale[0][0], stale[0][1], names_by_code, rest)
    if rest is None or abs(rest) < POINT:
        return None
    if not figures.fresh:
        return Reason(
            "pending", _("Skor belum dihitung ulang dari data terbaru; selisih masih akan berubah."), rest
        )
    return Reason(
        "unrecorded",
        _("Penyebab tidak tercatat: data dan instrumen yang tersimpan tidak menjelaskan bagian selisih ini."),
        rest,
    )


def band_reason(figures: Figures | None, submitted: Stored, current: Stored) -> Reason | None:
    """A category that changed while the index did not."""
    if submitted.category == current.category or abs(current.reported - submitted.reported) >= POINT:
        return None
    moved = {"old": submitted.category or "–", "new": current.category or "–"}
    if figures is not None and figures.bands.kind != engine.FIXED:
        text = _(
            "Kategori berubah (%(old)s → %(new)s) pada indeks yang sama: kategori relatif dihitung dari "
            "sebaran skor semua peserta, yang berbeda antara saat dikirim dan sekarang."
        )
    elif submitted.signature != current.signature:
        text = _("Kategori berubah (%(old)s → %(new)s) pada indeks yang sama: skema kategori diubah.")
    else:
        text = _("Kategori berubah (%(old)s → %(new)s) pada indeks yang sama; penyebab tidak tercatat.")
    return Reason("bands", text % moved)


def explain(
    figures: Figures | None, submitted: Stored, current: Stored, events: list, names: dict[int, str]
) -> ScoreChanges:
    """Every reason the current score differs from the submitted one. Pure: `figures` from
    cached_figures (None without a snapshot), `events` and `names` as data_reasons takes them."""
    delta = current.overall - submitted.overall
    if submitted.shows_as(current):
        return ScoreChanges(delta, [], False)
    if figures is None:
        missing = Reason(
            "unrecorded", _("Penyebab tidak tercatat: jawaban saat dikirim tidak tersimpan."), delta
        )
        return ScoreChanges(delta, [r for r in (missing, band_reason(None, submitted, current)) if r], False)
    reasons = data_reasons(figures, events, names)
    names_by_code = {figures.group_codes.get(g, ""): n for g, n in names.items()}
    explained = sum(r.points or 0.0 for r in reasons)
    rest = rest_reason(figures, submitted, current, names_by_code, explained)
    reasons += [r for r in (rest, band_reason(figures, submitted, current)) if r]
    if not reasons:
        reasons = [
            Reason("unrecorded", _("Penyebab tidak tercatat."), delta if abs(delta) >= POINT else None)
        ]
    return ScoreChanges(delta, reasons, figures.steps is not None)


# --- for the pages ----------------------------------------------------------------------------------------


def collection_changes(
    collection: Collection, submitted: Score | None, current: Score | None
) -> ScoreChanges | None:
    """The reasons shown beside a collection's submitted-vs-current difference (None without both scores).
    No query when the two show alike; else two (events, group names), plus ten for the comparison
    when it is not cached."""
    if submitted is None or current is None:
        return None
    sent, now = Stored.of(submitted), Stored.of(current)
    if sent.shows_as(now):
        return ScoreChanges(now.overall - sent.overall, [], False)
    figures = cached_figures(collection, sent, now)
    events = list(
        ReviewEvent.objects.filter(collection=collection, action__in=EVENT_ACTIONS)
        .order_by("at", "id")
        .only("action", "at", "note", "questionnaire_id")
    )
    names = dict(
        RespondentGroup.objects.filter(instrument_id=collection.period.instrument_id)
        .order_by("order", "id")
        .values_list("pk", "name")
    )
    return explain(figures, sent, now, events, names)


def changes_for_collection_id(collection_id: int) -> ScoreChanges | None:
    """collection_changes for a page that holds only the collection's id (the kab/kota report card)."""
    collection = Collection.objects.select_related("period__instrument__band_scheme").get(pk=collection_id)
    stored = {
        s.basis: s
        for s in Score.objects.filter(collection=collection, instrument_id=collection.period.instrument_id)
    }
    return collection_changes(collection, stored.get(Score.Basis.SUBMITTED), stored.get(Score.Basis.CURRENT))
