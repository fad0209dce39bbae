"""Small pure request helpers shared by the apps and the wiring: a request parameter as a database-sized
integer (small_int), whether a request is a fetch() call that wants JSON (wants_json), and the autosave
URL names that always get JSON. They import no app and no model."""

from __future__ import annotations

from django.http import HttpRequest

MAX_DB_INT = 2**31 - 1  # ids and versions beyond this are garbage, not a lookup

# The autosave endpoints (static/js/autosave.js): they always get JSON, whatever the Accept header says.
AUTOSAVE_URL_NAMES = {"assessments:answer_save", "respondent:save"}


def small_int(raw, *, minimum: int = 0) -> int | None:
    """A request parameter as a non-negative database-sized integer, or None for garbage."""
    if raw is None or len(str(raw)) > 12:
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        return None
    return value if minimum <= value <= MAX_DB_INT else None


def wants_json(request: HttpRequest) -> bool:
    """Autosave and the other fetch() calls ask for JSON (static/js/autosave.js)."""
    return "application/json" in request.headers.get("Accept", "") or (
        request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )
