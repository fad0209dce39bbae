"""A microdata export's life (scoring.models.MicrodataExport, one per period and scope): what the page shows
(none, pending, stalled, ready, outdated, failed; the last build's files stay offered while a new one
runs), a click claiming the build once however often it is clicked, and the build the Celery task runs
(reports.microdata_files) with its outcome recorded.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from assessments.models import Period
from kotan.lib import claims
from reports import microdata, microdata_files
from scoring.models import MicrodataExport

log = logging.getLogger(__name__)

# A build asked for this long ago and not finished is taken as lost: "Coba lagi" is offered.
POLL_LIMIT = datetime.timedelta(minutes=15)
POLL_SECONDS = 5

NONE, PENDING, STALLED, READY, OUTDATED, FAILED = "none", "pending", "stalled", "ready", "outdated", "failed"
STARTABLE = frozenset({NONE, STALLED, OUTDATED, FAILED})


@dataclass(frozen=True)
class ExportState:
    state: str
    export: MicrodataExport | None
    has_files: bool = False  # the last build's files are all in storage (offered while a new one runs)

    @property
    def files(self) -> dict:
        return self.export.files if self.has_files else {}


def _has_files(export: MicrodataExport) -> bool:
    return bool(export.files) and all(default_storage.exists(f["name"]) for f in export.files.values())


def state_of(period: Period, scope_key: str) -> ExportState:
    """The scope's export now (a query, a file check per format, and the inputs' stamp when built)."""
    export = MicrodataExport.objects.filter(period=period, scope_key=scope_key).first()
    if export is None:
        return ExportState(NONE, None)
    has = _has_files(export)
    if export.state == MicrodataExport.State.QUEUED:
        late = timezone.now() - export.requested_at > POLL_LIMIT
        return ExportState(STALLED if late else PENDING, export, has)
    if export.state == MicrodataExport.State.FAILED:
        return ExportState(FAILED, export, has)
    if not has:
        return ExportState(NONE, export)
    fresh = export.fingerprint == microdata.inputs_stamp(period, scope_key)
    return ExportState(READY if fresh else OUTDATED, export, has)


def claim(period: Period, scope_key: str) -> bool:
    """Record a click asking for the scope's files; False while an earlier click's build is queued."""
    now = timezone.now()
    lookup = {"period": period, "scope_key": scope_key}
    fresh = {"state": MicrodataExport.State.QUEUED, "requested_at": now}
    busy = Q(state=MicrodataExport.State.QUEUED, requested_at__gt=now - POLL_LIMIT)
    return claims.claim(MicrodataExport, lookup, fresh, busy)


def record_failed(period_id: int, scope_key: str) -> None:
    MicrodataExport.objects.filter(period_id=period_id, scope_key=scope_key).update(
        state=MicrodataExport.State.FAILED
    )


def run(period_id: int, scope_key: str) -> dict:
    """Build the scope's files and record the outcome (what the task runs; never raises)."""
    period = Period.objects.select_related("instrument").filter(pk=period_id).first()
    if period is None:
        return {"missing": period_id}
    try:
        stamp = microdata.inputs_stamp(period, scope_key)
        files, rows = microdata_files.build(period, scope_key)
    except Exception:
        log.exception("microdata of period %s scope %r failed", period_id, scope_key)
        record_failed(period_id, scope_key)
        return {"failed": period_id}
    MicrodataExport.objects.update_or_create(
        period=period,
        scope_key=scope_key,
        defaults={
            "state": MicrodataExport.State.DONE,
            "files": files,
            "rows": rows,
            "fingerprint": stamp,
            "built_at": timezone.now(),
            "requested_at": timezone.now(),
        },
    )
    return {"rows": rows, "files": len(files)}
