"""The current period: THE rule every page uses to choose which period it opens on.

The current period is the newest one whose collection has opened by today (running, being verified or
done); when none has opened yet, the newest one. The BNNK's /survei/, the collection and progress lists
and every dashboard and report card (reports.selectors.report_periods) open on it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from operator import attrgetter

from django.db.models import QuerySet
from django.utils import timezone

from .models import Period


def newest_opened[P](
    periods: Iterable[P],
    today: datetime.date,
    opens: Callable[[P], datetime.date] = attrgetter("collection_opens"),
) -> P | None:
    """The first of `periods` (newest first) whose collection has opened by `today`, else None.
    `opens` reads a period's opening date (Period objects by default; dict rows pass itemgetter)."""
    return next((p for p in periods if opens(p) <= today), None)


def current_period(periods: QuerySet[Period], today: datetime.date | None = None) -> Period | None:
    """The current period among `periods` (one query): the newest opened one, else the newest one."""
    rows = list(periods.order_by("-year"))
    return newest_opened(rows, today or timezone.localdate()) or next(iter(rows), None)
