"""A kab/kota's action plan as documents for the Tim Terpadu P4GN to sign: a landscape PDF (WeasyPrint,
templates/reports/pdf/plan.html) and a DOCX of the same content (reports.plan_docx), rendered together by
the Celery task a click asks for (reports.report_links.render_requested) and stored as the plan scope's
RenderedReport rows (kind pdf and docx, scope_key the kab/kota code).

What the documents print: the heading, the IKOTAN result the plan answers (overall, category, variables),
the items (indicators, strategy, instansi, activity, output, target date, budget and source, status) and
the signature block. The stored rows record `inputs_at`, when the plan last changed before it was read
(plans.selectors.plan_changed_at), so that a page calls the PDF outdated once the plan changes again.
"""

from __future__ import annotations

import datetime
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import formats, timezone, translation

from assessments.models import Collection
from plans import selectors as plan_selectors
from plans import services as plan_services
from plans.models import ActionItem, ActionPlan
from reports import pdf, plan_docx, rendering, selectors
from reports.models import RenderedReport

log = logging.getLogger(__name__)

PLAN = RenderedReport.ScopeKind.PLAN
# Bump when templates/reports/pdf/plan.html or reports/plan_docx.py change what a document looks like.
PLAN_RENDER_VERSION = "1"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _rupiah(value) -> str:
    return "" if value is None else "Rp" + formats.number_format(int(value), 0, force_grouping=True)


def _heads(regency) -> dict:
    """Who chairs the Tim Terpadu P4GN of the kab/kota (its head of government, or the Sekda for him)."""
    head = "Wali Kota" if regency.kind == "kota" else "Bupati"
    return {
        "chair": f"Ketua Tim Terpadu P4GN {regency.name}",
        "chair_note": f"{head} / Sekretaris Daerah",
        "bnnk": f"Kepala BNN {regency.name}",
    }


def _item_row(number: int, item: ActionItem) -> dict:
    return {
        "number": number,
        "indicators": [f"{i.code} {i.name}" for i in item.indicators.all()],
        "strategy": item.get_strategy_display(),
        "agency": item.agency.name,
        "activity": item.activity,
        "output": item.expected_output,
        "target_date": pdf.indonesian_date(item.target_date),
        "budget": _rupiah(item.budget),
        "budget_source": item.budget_source,
        "status": item.get_status_display(),
    }


def _result(collection: Collection) -> dict | None:
    """The verified IKOTAN result the plan answers: overall, category, [(variable name, score)]."""
    score = plan_services.verified_score(collection)
    if score is None:
        return None
    names = selectors.instrument_variables(collection.period.instrument_id)
    return {
        "overall": score.overall,
        "category": score.category,
        "variables": [(name, score.variables.get(code)) for code, name in names],
    }


def plan_context(
    collection: Collection, plan: ActionPlan, items: list[ActionItem], today: datetime.date
) -> dict:
    """What the plan's PDF and DOCX print, in Bahasa Indonesia (the signed document's language)."""
    budgets = [item.budget for item in items if item.budget is not None]
    with translation.override("id"):
        return _context(collection, plan, items, budgets, today)


def _context(collection, plan, items, budgets, today) -> dict:
    regency = collection.regency
    return {
        "period": {
            "year": collection.period.year,
            "name": collection.period.name,
            "is_synthetic": collection.period.is_synthetic,
        },
        "regency": {"code": regency.code, "name": regency.name, "province": regency.province.name},
        "heading": f"RENCANA AKSI P4GN {regency.name.upper()} TAHUN {collection.period.year}",
        "title": plan.title,
        "result": _result(collection),
        "items": [_item_row(n, item) for n, item in enumerate(items, start=1)],
        "budget_total": _rupiah(sum(budgets)) if budgets else "",
        "heads": _heads(regency),
        "today": pdf.indonesian_date(today),
    }


def _load(period_id: int, code: str) -> tuple[Collection, ActionPlan] | None:
    collection = (
        Collection.objects.select_related("period__instrument", "regency__province")
        .filter(period_id=period_id, regency__code=code)
        .first()
    )
    plan = ActionPlan.objects.filter(collection=collection).first() if collection is not None else None
    return None if plan is None else (collection, plan)


def _is_current(stored: RenderedReport | None, digest: str) -> bool:
    return (
        stored is not None
        and stored.fingerprint == digest
        and bool(stored.file)
        and default_storage.exists(stored.file.name)
    )


def _save(collection: Collection, kind: str, digest: str, content: bytes, **meta) -> str:
    """Store one document's file and row; returns the file name it replaced ('' if none)."""
    period = collection.period
    code = collection.regency.code
    old = rendering.cached(period, PLAN, code, kind)
    name = default_storage.save(
        f"reports/{period.year}/rencana-aksi-{period.year}-{code}-{digest[:10]}.{kind}", ContentFile(content)
    )
    rendering.store(
        period,
        PLAN,
        code,
        kind,
        file=name,
        data={**meta, "size": len(content)},
        fingerprint=digest,
        rendered_at=timezone.now(),
    )
    return old.file.name if old is not None and old.file and old.file.name != name else ""


def render_plan(
    period_id: int, code: str, *, force: bool = False, today: datetime.date | None = None
) -> bool:
    """Render the plan's PDF and DOCX unless the stored ones print the same. Returns whether it rendered;
    raises LookupError when the kab/kota has no plan in the period."""
    changed_at = plan_selectors.plan_changed_at(period_id, code)  # read first: a later change is newer
    found = _load(period_id, code)
    if found is None:
        raise LookupError(f"no action plan for {code} in period {period_id}")
    collection, plan = found
    context = plan_context(collection, plan, plan_selectors.plan_items(plan), today or timezone.localdate())
    digest = rendering.fingerprint({**context, "version": PLAN_RENDER_VERSION})
    meta = {"inputs_at": changed_at.isoformat() if changed_at else None}
    kinds = (RenderedReport.Kind.PDF, RenderedReport.Kind.DOCX)
    stored = {kind: rendering.cached(period_id, PLAN, code, kind) for kind in kinds}
    if not force and all(_is_current(row, digest) for row in stored.values()):
        for row in stored.values():
            RenderedReport.objects.filter(pk=row.pk).update(data={**(row.data or {}), **meta})
        return False
    content = pdf.render_pdf("plan.html", context)
    document = plan_docx.build(context)
    replaced = [
        _save(collection, RenderedReport.Kind.PDF, digest, content, **meta),
        _save(collection, RenderedReport.Kind.DOCX, digest, document, **meta),
    ]
    for name in filter(None, replaced):
        transaction.on_commit(lambda name=name: default_storage.delete(name))
    log.info("Rendered the action plan of %s (period %s)", code, period_id)
    return True
