"""Heartbeats of the background services: record(name) upserts the Heartbeat row with the time now, read()
lists them for /readyz (kotan/infra/health.readyz).

Names: "worker:<hostname>" every HEARTBEAT_SECONDS from each Celery worker's main process (the bootstep in
kotan/celery.py), "sweep" from the beat's score sweep (scoring.tasks.sweep_scores). record() never raises:
a heartbeat is a side note, and the service must go on while the database is away; the first failure of
an outage is logged, the others are skipped silently until a record succeeds again.
"""

from __future__ import annotations

import logging
import threading

from django.db import DatabaseError, transaction
from django.utils import timezone

from .models import Heartbeat

logger = logging.getLogger(__name__)

_failing = threading.Event()  # set while records fail, so that an outage is logged once


def record(name: str, detail: dict | None = None) -> None:
    """Upsert Heartbeat(name) with the time now and `detail`. One INSERT ... ON CONFLICT DO UPDATE
    (in a savepoint when the caller is in a transaction)."""
    try:
        # A savepoint when called inside a transaction: a failure must not leave the caller's aborted.
        with transaction.atomic():
            Heartbeat.objects.bulk_create(
                [Heartbeat(name=name, at=timezone.now(), detail=detail or {})],
                update_conflicts=True,
                unique_fields=["name"],
                update_fields=["at", "detail"],
            )
    except Exception as exc:  # DatabaseError mostly; whatever it is, the caller goes on
        if not _failing.is_set():
            _failing.set()
            level = logging.WARNING if isinstance(exc, DatabaseError) else logging.ERROR
            logger.log(
                level,
                "heartbeat %s not recorded (%s: %s); skipping until it works again",
                name,
                type(exc).__name__,
                str(exc).strip()[:200],
            )
        return
    if _failing.is_set():
        _failing.clear()
        logger.warning("heartbeat %s recorded again", name)


def read() -> list[dict]:
    """Every heartbeat, by name: {"name", "at" (ISO 8601), "age_seconds", "detail"}. Raises when the
    database does (the caller, /readyz, reports that)."""
    now = timezone.now()
    return [
        {
            "name": beat.name,
            "at": beat.at.isoformat(),
            "age_seconds": round(max(0.0, (now - beat.at).total_seconds()), 1),
            "detail": beat.detail,
        }
        for beat in Heartbeat.objects.order_by("name")
    ]
