"""Reads for the BNNP review and the progress pages: questionnaires with quality flags (filtered and paged
for the list), what changed since the last return, the return form's targets, and per-kab/kota progress.
A fixed number of queries each.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.http import QueryDict
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from instruments.models import EvidenceType, Indicator, Option, Question, RespondentGroup
from kotan.lib.service_errors import ServiceError

from ..answer_frame import option_scores
from ..models import Answer, Collection, Evidence, Questionnaire, ReviewComment, ReviewEvent
from . import quality

HistoricalAnswer = Answer.history.model
HistoricalQuestionnaire = Questionnaire.history.model
HistoricalEvidence = Evidence.history.model

ANSWER_COLUMNS = ["questionnaire_id", "group_id", "question_id", "kind", "value", "score"]
META_COLUMNS = ["questionnaire_id", "group_id", "method", "created_at", "completed_at"]
MAX_RETURN_COMMENTS = 50  # rows of one return form; more is a script, not a reviewer


# --- questionnaires and quality flags ----------------------------------------------------------------


def answers_frame(collection: Collection, *, include_excluded: bool = False) -> pd.DataFrame:
    """The answers of the collection's questionnaires (one query) with a 0..1 score (one options query).
    Excluded questionnaires are left out unless asked for (they no longer count, so they flag nothing)."""
    rows = Answer.objects.filter(questionnaire__collection=collection)
    if not include_excluded:
        rows = rows.exclude(questionnaire__state=Questionnaire.State.EXCLUDED)
    data = list(
        rows.values_list(
            "questionnaire_id", "questionnaire__group_id", "question_id", "question__kind", "value"
        )
    )
    if not data:
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    frame = pd.DataFrame(data, columns=ANSWER_COLUMNS[:-1])
    options = pd.DataFrame(
        list(
            Option.objects.filter(question__instrument_id=collection.period.instrument_id).values_list(
                "question_id", "value", "score"
            )
        ),
        columns=["question_id", "value", "score"],
    )
    questions = frame[["question_id", "kind"]].drop_duplicates()
    # The engine's own option rule (assessments.answer_frame, used by scoring.engine): flags and scores
    # share one rule.
    frame["score"] = option_scores(frame["question_id"], frame["value"], questions, options)
    return frame


def meta_frame(questionnaires) -> pd.DataFrame:
    """Questionnaire metadata for the flags, from rows already loaded (no query)."""
    return pd.DataFrame(
        [
            (q.pk, q.group_id, q.method, q.created_at, q.completed_at)
            for q in questionnaires
            if q.state != Questionnaire.State.EXCLUDED
        ],
        columns=META_COLUMNS,
    )


@dataclass
class ReviewRow:
    questionnaire: Questionnaire
    flags: list = field(default_factory=list)
    n_answers: int = 0


def review_questionnaires(collection: Collection, *, flagged_only: bool = False) -> list[ReviewRow]:
    """Every questionnaire of the collection with its answer count and quality flags (excluded ones are
    not flagged), flagged first then by number: three queries however many there are (questionnaires,
    answers, options)."""
    questionnaires = list(
        collection.questionnaires.select_related("group", "entered_by").order_by("group__order", "id")
    )
    answers = answers_frame(collection, include_excluded=True)
    counts = answers.groupby("questionnaire_id").size().to_dict() if not answers.empty else {}
    excluded = {q.pk for q in questionnaires if q.state == Questionnaire.State.EXCLUDED}
    if excluded and not answers.empty:
        answers = answers[~answers["questionnaire_id"].isin(excluded)]
    flags = quality.flags_for(answers, meta_frame(questionnaires))
    rows = [ReviewRow(q, flags.get(q.pk, []), int(counts.get(q.pk, 0))) for q in questionnaires]
    rows.sort(key=lambda r: (not r.flags, r.questionnaire.pk))  # flagged first, then by number
    if flagged_only:
        rows = [r for r in rows if r.flags]
    return rows


# --- the review list: filters and pages (no query: over the rows already loaded) ----------------------

PAGE_SIZE = 25
FLAG_ANY, FLAG_NONE = "1", "0"
FLAG_LABELS = {
    "straight_lining": gettext_lazy("Jawaban seragam"),
    "duplicate": gettext_lazy("Duplikat"),
    "too_fast": gettext_lazy("Terlalu cepat"),
    "outlier": gettext_lazy("Nilai ekstrem"),
}


@dataclass(frozen=True)
class ReviewFilters:
    """The review list's GET filters: quality flag (?ditandai=1 any, 0 none, or a flag code), respondent
    group (?kelompok=code), questionnaire state (?status=) and page (?hal=). Unknown values are dropped."""

    flag: str = ""
    group: str = ""
    state: str = ""
    page: str = "1"

    @classmethod
    def from_query(cls, query: QueryDict) -> ReviewFilters:
        flag = query.get("ditandai", "")
        state = query.get("status", "")
        group = query.get("kelompok", "")
        page = query.get("hal", "1")
        return cls(
            flag=flag if flag in (FLAG_ANY, FLAG_NONE, *FLAG_LABELS) else "",
            group=group[:50] if group.replace("_", "").replace("-", "").isalnum() else "",
            state=state if state in Questionnaire.State.values else "",
            page=page if page.isdigit() and len(page) <= 6 else "1",
        )

    @property
    def active(self) -> bool:
        return bool(self.flag or self.group or self.state)

    def query(self, *, page: int | str | None = None) -> str:
        """The filters (and the page, unless 1) as a query string, "" when there is nothing to keep."""
        page = self.page if page is None else str(page)
        pairs = [("ditandai", self.flag), ("kelompok", self.group), ("status", self.state)]
        pairs.append(("hal", page if page != "1" else ""))
        return urlencode([(k, v) for k, v in pairs if v])

    def keeps(self, row: ReviewRow) -> bool:
        codes = {f.code for f in row.flags}
        wanted = {FLAG_ANY: bool(codes), FLAG_NONE: not codes, "": True}.get(self.flag, self.flag in codes)
        if not wanted:
            return False
        qn = row.questionnaire
        return (not self.group or qn.group.code == self.group) and (not self.state or qn.state == self.state)


def review_listing(rows: list[ReviewRow], filters: ReviewFilters, *, per_page: int = PAGE_SIZE) -> dict:
    """One page of the filtered rows, the filter form's choices (groups present, states, flag codes with
    their counts) and the page links that keep the filters. No query."""
    kept = [r for r in rows if filters.keeps(r)]
    page: Page = Paginator(kept, per_page).get_page(filters.page)
    groups = {r.questionnaire.group.code: r.questionnaire.group for r in rows}
    flag_counts: dict[str, int] = defaultdict(int)
    for r in rows:
        for code in {f.code for f in r.flags}:
            flag_counts[code] += 1
    return {
        "page": page,
        "rows": list(page.object_list),
        "n_shown": len(kept),
        "page_links": [
            {"number": n, "current": n == page.number, "url": "?" + filters.query(page=n)}
            if isinstance(n, int)
            else {"number": n, "gap": True}
            for n in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
        ],
        "prev_url": "?" + filters.query(page=page.previous_page_number()) if page.has_previous() else None,
        "next_url": "?" + filters.query(page=page.next_page_number()) if page.has_next() else None,
        "flag_choices": [
            (FLAG_ANY, _("Semua yang ditandai"), sum(1 for r in rows if r.flags)),
            (FLAG_NONE, _("Tanpa tanda"), sum(1 for r in rows if not r.flags)),
            *((code, label, flag_counts[code]) for code, label in FLAG_LABELS.items()),
        ],
        "group_choices": sorted(groups.values(), key=lambda g: (g.order, g.pk)),
        "state_choices": Questionnaire.State.choices,
        "filters": filters,
        "keep_query": filters.query(page=page.number),
    }


# --- the return form ---------------------------------------------------------------------------------


def return_targets(collection: Collection, rows: list[ReviewRow]) -> dict:
    """Choices of the return form: questionnaires (flagged first), indicators, documents, document types."""
    instrument_id = collection.period.instrument_id
    ordered = sorted(rows, key=lambda r: (not r.flags, r.questionnaire.pk))
    return {
        "questionnaires": [r for r in ordered if r.questionnaire.state != Questionnaire.State.EXCLUDED],
        "indicators": list(
            Indicator.objects.filter(variable__instrument_id=instrument_id)
            .select_related("variable")
            .order_by("variable__order", "order", "id")
        ),
        "evidence": list(collection.evidence.order_by("-uploaded_at")),
        "evidence_types": list(
            EvidenceType.objects.filter(instrument_id=instrument_id).order_by("order", "id")
        ),
    }


def parse_return_comments(collection: Collection, targets: list[str], texts: list[str]) -> list[dict]:
    """The return form's rows ("general", "q:12", "i:3", "e:4", "t:2" + text) as comments for
    workflow.collection_return. Rows without text are skipped; a target outside the collection is refused."""
    pairs = [
        (str(t or "general").strip(), str(x or "").strip()) for t, x in zip(targets, texts, strict=False)
    ]
    pairs = [(t, x) for t, x in pairs if x]
    if len(pairs) > MAX_RETURN_COMMENTS:
        raise ServiceError(
            _("Terlalu banyak komentar sekaligus (maksimal %(n)d).") % {"n": MAX_RETURN_COMMENTS},
            code="too_many",
        )
    wanted: dict[str, set[int]] = defaultdict(set)
    for target, _text in pairs:
        if target == "general":
            continue
        prefix, _sep, raw = target.partition(":")
        if prefix not in ("q", "i", "e", "t") or not raw.isdigit() or len(raw) > 10:
            raise ServiceError(_("Sasaran komentar tidak dikenal."), code="bad_target")
        wanted[prefix].add(int(raw))
    instrument_id = collection.period.instrument_id
    found = {
        "q": Questionnaire.objects.filter(collection=collection, pk__in=wanted["q"]).in_bulk()
        if wanted["q"]
        else {},
        "i": Indicator.objects.filter(variable__instrument_id=instrument_id, pk__in=wanted["i"])
        .select_related("variable")
        .in_bulk()
        if wanted["i"]
        else {},
        "e": Evidence.objects.filter(collection=collection, pk__in=wanted["e"]).in_bulk()
        if wanted["e"]
        else {},
        "t": EvidenceType.objects.filter(instrument_id=instrument_id, pk__in=wanted["t"]).in_bulk()
        if wanted["t"]
        else {},
    }
    kinds = {
        "q": ("questionnaire", ReviewComment.Target.QUESTIONNAIRE),
        "i": ("indicator", ReviewComment.Target.INDICATOR),
        "e": ("evidence", ReviewComment.Target.EVIDENCE),
        "t": ("evidence_type", ReviewComment.Target.DOCUMENT_REQUEST),
    }
    comments = []
    for target, text in pairs:
        if target == "general":
            comments.append({"target": ReviewComment.Target.GENERAL, "text": text})
            continue
        prefix, _sep, raw = target.partition(":")
        obj = found[prefix].get(int(raw))
        if obj is None:
            raise ServiceError(_("Sasaran komentar tidak ditemukan di koleksi ini."), code="bad_target")
        key, kind = kinds[prefix]
        comments.append({"target": kind, "text": text, key: obj})
    return comments


# --- comments -----------------------------------------------------------------------------------------


def comment_threads(collection: Collection, *, open_only: bool = False) -> list[ReviewComment]:
    """Root comments (newest round first) each with `.thread` = its replies, in two queries."""
    roots = ReviewComment.objects.filter(collection=collection, parent__isnull=True)
    if open_only:
        roots = roots.filter(round=collection.review_round - 1, resolved_at__isnull=True)
    roots = list(
        roots.select_related(
            "author", "questionnaire__group", "indicator", "evidence", "evidence_type"
        ).order_by("-round", "created_at", "id")
    )
    replies: dict[int, list] = defaultdict(list)
    if roots:
        for reply in (
            ReviewComment.objects.filter(parent__in=[r.pk for r in roots])
            .select_related("author")
            .order_by("created_at", "id")
        ):
            replies[reply.parent_id].append(reply)
    for root in roots:
        root.thread = replies[root.pk]
    return roots


# --- what changed since the last return ----------------------------------------------------------------


@dataclass
class AnswerChange:
    questionnaire_id: int
    question_code: str
    old: str
    new: str
    who: str
    when: datetime.datetime


def _fmt(value, labels: dict, question_id: int, kind: str | None) -> str:
    if value is None:
        return _("(kosong)")
    text = str(int(value)) if float(value).is_integer() else f"{value:.6f}".rstrip("0").rstrip(".")
    label = labels.get((question_id, float(value)))
    if label and kind != Question.Kind.NUMBER and label != text:
        return f"{text} ({label})"
    return text


def _user_name(user) -> str:
    if user is None:
        return _("responden (tautan)")
    return user.get_full_name() or user.username


def last_return(collection: Collection) -> ReviewEvent | None:
    return (
        ReviewEvent.objects.filter(collection=collection, action=ReviewEvent.Action.RETURNED)
        .order_by("-at", "-id")
        .first()
    )


def changes_since_last_return(collection: Collection) -> dict | None:
    """What the BNNK changed after the last return: answers (value at the return -> value now, who, when),
    questionnaires added or removed, documents uploaded, and replies. None if it was never returned.
    A fixed number of queries."""
    event = last_return(collection)
    if event is None:
        return None
    since = event.at
    answers = _answer_changes(_answer_history(collection, since))
    questionnaires = list(
        HistoricalQuestionnaire.objects.filter(
            collection_id=collection.pk, history_date__gt=since, history_type__in=["+", "-"]
        )
        .select_related("history_user", "group")
        .order_by("history_date", "history_id")
    )
    # A questionnaire added since the return is listed once with its answer count, not answer by answer.
    added = {h.id for h in questionnaires if h.history_type == "+"}
    for h in questionnaires:
        h.n_answers = sum(1 for c in answers if c.questionnaire_id == h.id and c.new != _("(kosong)"))
    answers = [c for c in answers if c.questionnaire_id not in added]
    answers.sort(key=lambda c: (c.questionnaire_id, c.question_code))
    others = _review_changes(collection, since)
    return {
        "event": event,
        "answers": answers,
        "questionnaires": questionnaires,
        **others,
        "empty": not (answers or questionnaires or any(others.values())),
    }


def _answer_history(collection: Collection, since) -> list:
    """Every answer history row of the collection after `since`, with the value it had at `since`."""
    qn_ids = HistoricalQuestionnaire.objects.filter(collection_id=collection.pk).values("id")
    before = HistoricalAnswer.objects.filter(
        questionnaire_id=OuterRef("questionnaire_id"),
        question_id=OuterRef("question_id"),
        history_date__lte=since,
    ).order_by("-history_date", "-history_id")
    return list(
        HistoricalAnswer.objects.filter(questionnaire_id__in=qn_ids, history_date__gt=since)
        .select_related("history_user")
        .annotate(
            old_value=Subquery(before.values("value")[:1]),
            old_type=Subquery(before.values("history_type")[:1]),
        )
        .order_by("questionnaire_id", "question_id", "history_date", "history_id")
    )


def _answer_changes(rows: list) -> list[AnswerChange]:
    """One change per answer whose value at the end differs from its value at the start."""
    if not rows:
        return []
    question_ids = {r.question_id for r in rows}
    meta = list(Question.objects.filter(pk__in=question_ids).values_list("pk", "code", "kind"))
    questions = {pk: code for pk, code, _kind in meta}
    kinds = {pk: kind for pk, _code, kind in meta}
    labels = {
        (qid, value): label
        for qid, value, label in Option.objects.filter(question_id__in=question_ids).values_list(
            "question_id", "value", "label"
        )
    }
    per_answer: dict[tuple[int, int], list] = defaultdict(list)
    for r in rows:
        per_answer[r.questionnaire_id, r.question_id].append(r)
    answers = []
    for (qn_id, q_id), history in per_answer.items():
        first, last = history[0], history[-1]
        old = None if first.old_type in (None, "-") else first.old_value
        new = None if last.history_type == "-" else last.value
        if old == new:
            continue  # changed and changed back
        kind = kinds.get(q_id)
        answers.append(
            AnswerChange(
                questionnaire_id=qn_id,
                question_code=questions.get(q_id, f"#{q_id}"),
                old=_fmt(old, labels, q_id, kind),
                new=_fmt(new, labels, q_id, kind),
                who=_user_name(last.history_user),
                when=last.history_date,
            )
        )
    return answers


def _review_changes(collection: Collection, since) -> dict[str, list]:
    """Exclusions and inclusions, documents uploaded or removed, and replies to comments after `since`."""
    return {
        "exclusions": list(
            ReviewEvent.objects.filter(
                collection=collection,
                at__gt=since,
                action__in=[ReviewEvent.Action.EXCLUDED, ReviewEvent.Action.INCLUDED],
            )
            .select_related("actor")
            .order_by("at", "id")
        ),
        "documents": list(
            HistoricalEvidence.objects.filter(collection_id=collection.pk, history_date__gt=since)
            .exclude(history_type="~")
            .select_related("history_user")
            .order_by("history_date", "history_id")
        ),
        "replies": list(
            ReviewComment.objects.filter(collection=collection, parent__isnull=False, created_at__gt=since)
            .select_related("author", "parent")
            .order_by("created_at", "id")
        ),
    }


# --- progress of many kab/kota -------------------------------------------------------------------------


@dataclass
class ProgressRow:
    collection: Collection
    percent: int
    quotas_met: bool
    complete: int
    last_activity: datetime.datetime | None
    days_left: int
    open_comments: int

    @property
    def days_over(self) -> int:
        return max(0, -self.days_left)


def progress_rows(period, regencies, today: datetime.date | None = None) -> list[ProgressRow]:
    """State, quota percent, last activity, days left and open comments of each collection of the period
    in `regencies`: four queries, whatever the number of kab/kota (collections, groups, questionnaire
    aggregates, open comments)."""
    today = today or timezone.localdate()
    collections = list(
        Collection.objects.filter(period=period, regency__in=regencies)
        .select_related("regency__province")
        .order_by("regency__province__code", "regency__code")
    )
    groups = list(RespondentGroup.objects.filter(instrument_id=period.instrument_id).order_by("order", "id"))
    complete: dict[tuple[int, int], int] = {}
    last: dict[int, datetime.datetime] = {}
    for row in (
        Questionnaire.objects.filter(collection__period=period, collection__regency__in=regencies)
        .values("collection_id", "group_id")
        .annotate(n=Count("id", filter=Q(state=Questionnaire.State.COMPLETE)), last=Max("updated_at"))
    ):
        complete[row["collection_id"], row["group_id"]] = row["n"]
        if row["last"] and (row["collection_id"] not in last or row["last"] > last[row["collection_id"]]):
            last[row["collection_id"]] = row["last"]
    open_counts = dict(
        ReviewComment.objects.filter(
            collection__period=period,
            collection__regency__in=regencies,
            parent__isnull=True,
            resolved_at__isnull=True,
            round=F("collection__review_round") - 1,
        )
        .values("collection_id")
        .annotate(n=Count("id"))
        .values_list("collection_id", "n")
    )
    quota_total = sum(g.min_quota for g in groups)
    rows = []
    for c in collections:
        c.period = period
        capped = sum(min(complete.get((c.pk, g.pk), 0), g.min_quota) for g in groups)
        rows.append(
            ProgressRow(
                collection=c,
                percent=round(100 * capped / quota_total) if quota_total else 100,
                quotas_met=all(complete.get((c.pk, g.pk), 0) >= g.min_quota for g in groups),
                complete=sum(complete.get((c.pk, g.pk), 0) for g in groups),
                last_activity=last.get(c.pk),
                days_left=((c.deadline_extended_to or period.collection_deadline) - today).days,
                open_comments=open_counts.get(c.pk, 0),
            )
        )
    return rows


STATES = [s for s, _label in Collection.State.choices]


def province_summary(rows: list[ProgressRow]) -> list[dict]:
    """The progress rows aggregated per province: counts per state, how many met every quota."""
    by_province: dict[int, dict] = {}
    for r in rows:
        province = r.collection.regency.province
        entry = by_province.setdefault(
            province.pk,
            {
                "province": province,
                "total": 0,
                "met": 0,
                "open_comments": 0,
                "states": dict.fromkeys(STATES, 0),
            },
        )
        entry["total"] += 1
        entry["met"] += r.quotas_met
        entry["open_comments"] += r.open_comments
        entry["states"][r.collection.state] += 1
    out = []
    for entry in by_province.values():
        entry["met_percent"] = round(100 * entry["met"] / entry["total"]) if entry["total"] else 0
        entry["state_list"] = [(s, entry["states"][s]) for s in STATES]
        out.append(entry)
    return sorted(out, key=lambda e: e["province"].code)
