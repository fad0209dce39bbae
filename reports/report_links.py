"""What a page says about one PDF report before and after the click, and the one render a click starts.

A report link is in one of these states (link_state: three queries and a file check):
  ready      the PDF is stored; offered with its size and when it was made
  outdated   stored, but a score of its scope was computed after the scores it printed (the PDF is
             still offered, with "Perbarui PDF"; the debounced period render usually follows anyway)
  missing    never made, or its file is gone: "Siapkan PDF"
  no_scores  nothing to print yet: no link at all (the download answers 404)
  pending    a click asked for it and the render has not finished: the page polls the status URL
  stalled    asked for more than POLL_LIMIT ago and still not finished (a lost task): "Coba lagi"
  failed     the render failed, or the broker could not take the request: "Coba lagi"

A kab/kota's action plan (scope kind "plan", reports.plan_document) goes through the same states, with
its DOCX beside the PDF: "outdated" there means the plan changed after the PDF was rendered
(plans.selectors.plan_changed_at), not a score, and "no_scores" that there is no plan.

claim() records a click with a conditional update, so a double click or two users asking together
start one render; reports.scheduling.request_report_render enqueues it; render_requested() is what
the Celery task runs and records how it went.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import formats, timezone

from kotan.lib import claims
from plans import selectors as plan_selectors
from reports import plan_document, rendering
from reports.models import RenderedReport, RenderRequest
from scoring.models import Score

log = logging.getLogger(__name__)

# A render asked for this long ago and not finished is taken as lost: the page stops polling and
# offers "Coba lagi", which may queue it again. One report renders in seconds; a worker busy with a
# whole period's reports (after a submission day) needs a few minutes more.
POLL_LIMIT = datetime.timedelta(minutes=5)
# Seconds between two status checks: every few seconds at first, slower while the wait grows.
POLL_FIRST, POLL_MOST = 3, 15

READY, OUTDATED, MISSING, NO_SCORES = "ready", "outdated", "missing", "no_scores"
PENDING, STALLED, FAILED = "pending", "stalled", "failed"
# The states in which a click asks for a render (the others have one running or nothing to render).
STARTABLE = frozenset({OUTDATED, MISSING, STALLED, FAILED})

SCOPE_SLUGS = {
    "nasional": RenderedReport.ScopeKind.NATIONAL,
    "provinsi": RenderedReport.ScopeKind.PROVINCE,
    "kabkota": RenderedReport.ScopeKind.REGENCY,
    "rencana-aksi": RenderedReport.ScopeKind.PLAN,
}
_SLUG_OF = {kind: slug for slug, kind in SCOPE_SLUGS.items()}


@dataclass(frozen=True)
class ReportLink:
    """One report's link as a page shows it (templates/reports/pdf/_report_link.html)."""

    state: str
    year: int
    url: str  # the download (reports:report_pdf…)
    status_url: str
    prepare_url: str
    rendered_at: datetime.datetime | None = None  # set when a stored file exists
    file_name: str = ""  # in default_storage, when it exists
    size: int | None = None  # bytes
    inputs_at: datetime.datetime | None = None  # the latest score the stored PDF printed
    reason: str = ""  # RenderRequest.Reason when failed
    poll_seconds: int = POLL_FIRST
    is_plan: bool = False  # an action plan's documents: "outdated" means the plan changed
    docx_url: str = ""  # the plan's DOCX, rendered with its PDF (set when its file is stored)

    @property
    def has_file(self) -> bool:
        return self.rendered_at is not None

    @property
    def limit_minutes(self) -> int:
        return int(POLL_LIMIT.total_seconds() // 60)

    @property
    def size_text(self) -> str:
        """'240 KB', '1,4 MB' (the page's number format), '' when unknown."""
        if self.size is None:
            return ""
        if self.size < 1024 * 1024:
            return f"{max(1, round(self.size / 1024))} KB"
        return f"{formats.number_format(round(self.size / (1024 * 1024), 1), 1)} MB"


def report_urls(year: int, scope_kind: str, key: str) -> dict[str, str]:
    """The download, status and prepare URLs of one report."""
    args = [year, _SLUG_OF[scope_kind], *([key] if key else [])]
    suffix = "_scoped" if key else ""
    return {
        "url": reverse(f"reports:report_pdf{suffix}", args=args),
        "status_url": reverse(f"reports:report_pdf_status{suffix}", args=args),
        "prepare_url": reverse(f"reports:report_pdf_prepare{suffix}", args=args),
    }


def scope_scores(period_id: int, scope_kind: str, key: str):
    """The current scores a report of this scope prints (those of the period's instrument)."""
    scores = Score.objects.filter(
        collection__period_id=period_id,
        instrument_id=F("collection__period__instrument_id"),
        basis=Score.Basis.CURRENT,
    )
    if scope_kind == RenderedReport.ScopeKind.REGENCY:
        return scores.filter(collection__regency__code=key)
    if scope_kind == RenderedReport.ScopeKind.PROVINCE:
        return scores.filter(collection__regency__province__code=key)
    return scores


def latest_input(period_id: int, scope_kind: str, key: str) -> datetime.datetime | None:
    """When what the report prints last changed: the latest score of its scope, or for an action plan the
    plan's latest change (None: nothing to print)."""
    if scope_kind == RenderedReport.ScopeKind.PLAN:
        return plan_selectors.plan_changed_at(period_id, key)
    return scope_scores(period_id, scope_kind, key).aggregate(latest=Max("computed_at"))["latest"]


def _docx_url(period_id: int, year: int, scope_kind: str, key: str, state: str) -> str:
    """The plan's stored DOCX download (one query and a file check), '' for other reports or none."""
    if scope_kind != RenderedReport.ScopeKind.PLAN or state == NO_SCORES:
        return ""
    stored = rendering.cached(period_id, scope_kind, key, RenderedReport.Kind.DOCX)
    return reverse("reports:plan_docx", args=[year, key]) if _file_exists(stored) else ""


def poll_seconds(waited: datetime.timedelta) -> int:
    """How long the page waits before its next status check, `waited` after the click."""
    return min(POLL_MOST, max(POLL_FIRST, int(waited.total_seconds() // 10)))


def decide(
    *,
    stored_at: datetime.datetime | None,
    inputs_at: datetime.datetime | None,
    asked: RenderRequest | None,
    latest: datetime.datetime | None,
    now: datetime.datetime,
) -> str:
    """The link's state from the stored PDF (`stored_at`: its render time if its file exists), the
    last click's request and the latest score of the scope (None: no score at all)."""
    # A render finished after the click (the click's own, or the period's) answers the click.
    open_request = asked is not None and (stored_at is None or stored_at < asked.requested_at)
    if open_request and asked.state == RenderRequest.State.QUEUED:
        return STALLED if now - asked.requested_at > POLL_LIMIT else PENDING
    if open_request and asked.state == RenderRequest.State.FAILED:
        return FAILED
    if stored_at is not None:
        return OUTDATED if latest and inputs_at and latest > inputs_at else READY
    return NO_SCORES if latest is None else MISSING


def _stored_file(stored: RenderedReport | None) -> tuple[datetime.datetime | None, int | None]:
    """(render time, size) of the stored PDF when its file is there, else (None, None)."""
    if not _file_exists(stored):
        return None, None
    size = (stored.data or {}).get("size")
    if size is None:  # rendered before the size was recorded
        try:
            size = default_storage.size(stored.file.name)
        except OSError:
            size = None
    return stored.rendered_at, size


def _file_exists(stored: RenderedReport | None) -> bool:
    return stored is not None and bool(stored.file) and default_storage.exists(stored.file.name)


def _parse(stamp: str | None) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None


def link_state(period_id: int, year: int, scope_kind: str, key: str) -> ReportLink:
    """One report's link now (three queries: the stored PDF, the last click, the latest score; a plan's a
    few more: its latest change and its DOCX)."""
    lookup = {"period_id": period_id, "scope_kind": scope_kind, "scope_key": key}
    stored = RenderedReport.objects.filter(**lookup, kind=RenderedReport.Kind.PDF).first()
    asked = RenderRequest.objects.filter(**lookup).first()
    latest = latest_input(period_id, scope_kind, key)
    stored_at, size = _stored_file(stored)
    inputs_at = _parse((stored.data or {}).get("inputs_at")) if stored is not None else None
    now = timezone.now()
    state = decide(stored_at=stored_at, inputs_at=inputs_at, asked=asked, latest=latest, now=now)
    return ReportLink(
        state=state,
        year=year,
        **report_urls(year, scope_kind, key),
        rendered_at=stored_at,
        file_name=stored.file.name if stored_at is not None else "",
        size=size,
        inputs_at=inputs_at,
        reason=asked.reason if asked is not None and state == FAILED else "",
        poll_seconds=poll_seconds(now - asked.requested_at) if state == PENDING else POLL_FIRST,
        is_plan=scope_kind == RenderedReport.ScopeKind.PLAN,
        docx_url=_docx_url(period_id, year, scope_kind, key, state),
    )


def regency_pdfs_ready(period_id: int, codes) -> set[str]:
    """The kab/kota among `codes` whose report card PDF is stored (one query and a file check each), so
    a list of kab/kota says before the click which PDF opens at once and which is prepared first."""
    stored = RenderedReport.objects.filter(
        period_id=period_id,
        scope_kind=RenderedReport.ScopeKind.REGENCY,
        scope_key__in=list(codes),
        kind=RenderedReport.Kind.PDF,
    ).only("scope_key", "file")
    return {r.scope_key for r in stored if _file_exists(r)}


def claim(period_id: int, scope_kind: str, key: str) -> bool:
    """Record a click asking for this report. True when this click is to start the render: False while
    an earlier click's render is queued (less than POLL_LIMIT ago), so a double click renders once."""
    now = timezone.now()
    lookup = {"period_id": period_id, "scope_kind": scope_kind, "scope_key": key}
    fresh = {"state": RenderRequest.State.QUEUED, "reason": "", "requested_at": now, "finished_at": None}
    busy = Q(state=RenderRequest.State.QUEUED, requested_at__gt=now - POLL_LIMIT)
    return claims.claim(RenderRequest, lookup, fresh, busy)


def record_outcome(period_id: int, scope_kind: str, key: str, *, ok: bool, reason: str = "") -> None:
    """Close the queued request of this report: done, or failed with its reason."""
    RenderRequest.objects.filter(
        period_id=period_id, scope_kind=scope_kind, scope_key=key, state=RenderRequest.State.QUEUED
    ).update(
        state=RenderRequest.State.DONE if ok else RenderRequest.State.FAILED,
        reason="" if ok else reason,
        finished_at=timezone.now(),
    )


def _render(period_id: int, scope_kind: str, key: str, *, force: bool) -> dict[str, int]:
    if scope_kind == RenderedReport.ScopeKind.PLAN:
        changed = plan_document.render_plan(period_id, key, force=force)
        return {"rendered": int(changed), "unchanged": int(not changed), "failed": 0}
    return rendering.render_period(period_id, force=force, scopes=[(scope_kind, key)])


def render_requested(period_id: int, scope_kind: str, key: str, *, force: bool = False) -> dict[str, int]:
    """The render a click asked for (run by reports.render_tasks.render_scope_report): render the report
    unless unchanged, and record for the page whether it worked. Never raises, so the page is told
    instead of a worker retrying a broken report."""
    try:
        counts = _render(period_id, scope_kind, key, force=force)
    except Exception:  # the period's data could not be read: the page says "gagal", the log says why
        log.exception("Rendering the requested %s %s report of period %s failed", scope_kind, key, period_id)
        counts = {"rendered": 0, "unchanged": 0, "failed": 1}
    ok = counts["rendered"] + counts["unchanged"] > 0
    record_outcome(period_id, scope_kind, key, ok=ok, reason=RenderRequest.Reason.RENDER)
    return counts
