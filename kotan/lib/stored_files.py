"""How KOTAN hands back a file a user uploaded (evidence, a plan's follow-up): an attachment under its
checked original name and type, never rendered by the browser, never cached; a file missing on disk is a
404 with the caller's message, not a 500."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def download(stored: FieldFile, *, filename: str, content_type: str, missing: str) -> FileResponse:
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(missing) from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
