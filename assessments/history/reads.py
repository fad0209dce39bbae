"""The change history of one collection, read from the simple_history tables, newest first.

Answers (old -> new value), questionnaire state changes, collection state and deadline changes, and
evidence added or removed are merged into one chronological list. One UNION query orders and pages the
(kind, history id, date) keys; each kind on the page is then loaded with its previous row's value through
a correlated subquery, so a page costs the same few queries however long the history is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from instruments.models import EvidenceType, Option, Question, RespondentGroup

from ..models import Answer, Collection, Evidence, Questionnaire

HistoricalAnswer = Answer.history.model
HistoricalQuestionnaire = Questionnaire.history.model
HistoricalCollection = Collection.history.model
HistoricalEvidence = Evidence.history.model

ANSWER, QUESTIONNAIRE, COLLECTION, EVIDENCE = "jawaban", "kuesioner", "koleksi", "bukti"
KINDS = (ANSWER, QUESTIONNAIRE, COLLECTION, EVIDENCE)
PAGE_SIZE = 50


@dataclass
class Entry:
    kind: str
    when: object  # aware datetime
    who: str
    subject: str
    old: str = ""
    new: str = ""
    note: str = ""
    change: str = "~"  # simple_history's type: + created, ~ changed, - deleted


def _previous(model, field: str):
    """The value of `field` in the previous history row of the same object (None for the first)."""
    return Subquery(
        model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values(field)[:1]
    )


def _keys(model, kind: str):
    # No ordering inside the parts of a UNION (the historical models order by date by default).
    return (
        model.objects.order_by()
        .annotate(kind=Value(kind, output_field=CharField()))
        .values_list("history_id", "history_date", "kind")
    )


def _key_querysets(collection: Collection, kinds) -> list:
    questionnaire_ids = HistoricalQuestionnaire.objects.filter(collection_id=collection.pk).values("id")
    parts = []
    if ANSWER in kinds:
        parts.append(_keys(HistoricalAnswer, ANSWER).filter(questionnaire_id__in=questionnaire_ids))
    if QUESTIONNAIRE in kinds:
        # Every save writes a history row; only creation, deletion and state changes are worth showing.
        parts.append(
            _keys(HistoricalQuestionnaire, QUESTIONNAIRE)
            .filter(collection_id=collection.pk)
            .alias(prev_state=_previous(HistoricalQuestionnaire, "state"))
            .filter(Q(history_type__in=["+", "-"]) | Q(prev_state__isnull=True) | ~Q(state=F("prev_state")))
        )
    if COLLECTION in kinds:
        parts.append(
            _keys(HistoricalCollection, COLLECTION)
            .filter(id=collection.pk)
            .alias(
                prev_state=_previous(HistoricalCollection, "state"),
                prev_deadline=_previous(HistoricalCollection, "deadline_extended_to"),
            )
            .filter(
                Q(history_type__in=["+", "-"])
                | Q(prev_state__isnull=True)
                | ~Q(state=F("prev_state"))
                | (Q(deadline_extended_to__isnull=False) & Q(prev_deadline__isnull=True))
                | ~Q(deadline_extended_to=F("prev_deadline"))
            )
        )
    if EVIDENCE in kinds:
        parts.append(_keys(HistoricalEvidence, EVIDENCE).filter(collection_id=collection.pk))
    return parts


def collection_history_keys(collection: Collection, kinds=KINDS):
    """(history_id, history_date, kind) of every change shown for the collection, newest first."""
    parts = _key_querysets(collection, kinds)
    if not parts:
        return HistoricalEvidence.objects.none().values_list("history_id", "history_date", "history_type")
    first, *rest = parts
    union = first.union(*rest, all=True) if rest else first
    return union.order_by("-history_date", "-kind", "-history_id")


def _who(row, anonymous: str) -> str:
    user = row.history_user
    if user is None:
        return anonymous
    return user.get_full_name() or user.username


def _fmt(value) -> str:
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.6f}".rstrip("0").rstrip(".")


def _answer_entries(ids: list[int]) -> dict:
    rows = list(
        HistoricalAnswer.objects.filter(history_id__in=ids)
        .select_related("history_user")
        .annotate(prev_value=_previous(HistoricalAnswer, "value"))
    )
    question_ids = {r.question_id for r in rows}
    questions = {q.pk: q for q in Question.objects.filter(pk__in=question_ids).only("id", "code", "kind")}
    labels = {
        (qid, value): label
        for qid, value, label in Option.objects.filter(question_id__in=question_ids).values_list(
            "question_id", "value", "label"
        )
    }

    def shown(question, value) -> str:
        if value is None:
            return _("(kosong)")
        text = _fmt(value)
        label = labels.get((question.pk, float(value))) if question else None
        if label and question.kind != Question.Kind.NUMBER and label != text:
            return f"{text} ({label})"
        return text

    out = {}
    for r in rows:
        q = questions.get(r.question_id)
        code = q.code if q else f"#{r.question_id}"
        old = r.prev_value if r.history_type != "+" else None
        new = None if r.history_type == "-" else r.value
        if r.history_type == "-":
            old = r.value
        out[r.history_id] = Entry(
            kind=ANSWER,
            when=r.history_date,
            who=_who(r, _("responden (tautan)")),
            subject=_("Jawaban %(code)s pada kuesioner #%(qn)s") % {"code": code, "qn": r.questionnaire_id},
            old=shown(q, old),
            new=shown(q, new),
            change=r.history_type,
        )
    return out


def _questionnaire_who(row) -> str:
    """Without a recorded user (a change outside a request), the respondent changed a link
    questionnaire; otherwise credit whoever entered it."""
    if row.history_user is not None:
        return _who(row, "")
    if row.method == Questionnaire.Method.LINK and row.history_type != "+":
        return _("responden (tautan)")
    if row.entered_by is not None:
        return row.entered_by.get_full_name() or row.entered_by.username
    return _("sistem")


def _questionnaire_entries(ids: list[int], collection: Collection) -> dict:
    rows = (
        HistoricalQuestionnaire.objects.filter(history_id__in=ids)
        .select_related("history_user", "entered_by")
        .annotate(prev_state=_previous(HistoricalQuestionnaire, "state"))
    )
    groups = dict(
        RespondentGroup.objects.filter(instrument_id=collection.period.instrument_id).values_list(
            "pk", "name"
        )
    )
    states = dict(Questionnaire.State.choices)
    methods = dict(Questionnaire.Method.choices)
    out = {}
    for r in rows:
        subject = _("Kuesioner #%(id)s (%(group)s)") % {"id": r.id, "group": groups.get(r.group_id, "?")}
        entry = Entry(
            kind=QUESTIONNAIRE,
            when=r.history_date,
            who=_questionnaire_who(r),
            subject=subject,
            change=r.history_type,
        )
        if r.history_type == "+":
            entry.note = _("dibuat, %(method)s") % {"method": str(methods.get(r.method, r.method)).lower()}
        elif r.history_type == "-":
            entry.note = _("dihapus")
        else:
            entry.old = str(states.get(r.prev_state, r.prev_state or ""))
            entry.new = str(states.get(r.state, r.state))
            if r.state == Questionnaire.State.EXCLUDED and r.excluded_reason:
                entry.note = _("alasan: %(reason)s") % {"reason": r.excluded_reason}
        out[r.history_id] = entry
    return out


def _collection_entries(ids: list[int]) -> dict:
    rows = (
        HistoricalCollection.objects.filter(history_id__in=ids)
        .select_related("history_user")
        .annotate(
            prev_state=_previous(HistoricalCollection, "state"),
            prev_deadline=_previous(HistoricalCollection, "deadline_extended_to"),
        )
    )
    states = dict(Collection.State.choices)
    out = {}
    for r in rows:
        entry = Entry(
            kind=COLLECTION, when=r.history_date, who=_who(r, _("sistem")), subject="", change=r.history_type
        )
        if r.history_type == "+":
            entry.subject = _("Koleksi dibuat")
        elif r.prev_state is not None and r.prev_state != r.state:
            entry.subject = _("Status koleksi")
            entry.old = str(states.get(r.prev_state, r.prev_state))
            entry.new = str(states.get(r.state, r.state))
        else:
            entry.subject = _("Batas pengumpulan kab/kota ini")
            entry.old = r.prev_deadline.strftime("%d-%m-%Y") if r.prev_deadline else _("batas periode")
            entry.new = r.deadline_extended_to.strftime("%d-%m-%Y") if r.deadline_extended_to else ""
        out[r.history_id] = entry
    return out


def _evidence_entries(ids: list[int], collection: Collection) -> dict:
    rows = HistoricalEvidence.objects.filter(history_id__in=ids).select_related("history_user")
    types = dict(
        EvidenceType.objects.filter(instrument_id=collection.period.instrument_id).values_list("pk", "name")
    )
    out = {}
    for r in rows:
        verb = {"+": _("Bukti dukung ditambahkan"), "-": _("Bukti dukung dihapus")}.get(
            r.history_type, _("Bukti dukung diubah")
        )
        type_name = types.get(r.evidence_type_id) if r.evidence_type_id else _("tanpa jenis")
        out[r.history_id] = Entry(
            kind=EVIDENCE,
            when=r.history_date,
            who=_who(r, _("sistem")),
            subject=verb,
            note=f"{r.title} ({type_name}) · {r.original_name}",
            change=r.history_type,
        )
    return out


def collection_history_page(
    collection: Collection, page_number=1, *, kinds=KINDS, per_page: int = PAGE_SIZE
) -> tuple[Page, list[Entry]]:
    """One page of the collection's history: the paginator page (for links) and its entries."""
    page = Paginator(collection_history_keys(collection, kinds), per_page).get_page(page_number)
    keys = list(page.object_list)
    by_kind: dict[str, list[int]] = {}
    for history_id, _when, kind in keys:
        by_kind.setdefault(kind, []).append(history_id)
    loaded = {
        ANSWER: _answer_entries(by_kind[ANSWER]) if ANSWER in by_kind else {},
        QUESTIONNAIRE: _questionnaire_entries(by_kind[QUESTIONNAIRE], collection)
        if QUESTIONNAIRE in by_kind
        else {},
        COLLECTION: _collection_entries(by_kind[COLLECTION]) if COLLECTION in by_kind else {},
        EVIDENCE: _evidence_entries(by_kind[EVIDENCE], collection) if EVIDENCE in by_kind else {},
    }
    entries = []
    for history_id, _when, kind in keys:
        entry = loaded[kind].get(history_id)
        if entry is not None:
            entry.when = timezone.localtime(entry.when)
            entries.append(entry)
    return page, entries
