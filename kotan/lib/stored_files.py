"""How KOTAN hands back a stored file (evidence, a plan's follow-up, a file a task built): an attachment
under its checked original name and type, never rendered by the browser, never cached; a file missing on
disk is a 404 with the caller's message, not a 500."""

from __future__ import annotations

from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def download(stored: FieldFile, *, filename: str, content_type: str, missing: str) -> FileResponse:
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(missing) from None
    return _attachment(handle, filename=filename, content_type=content_type)


def download_name(
    storage: Storage, name: str, *, filename: str, content_type: str, missing: str
) -> FileResponse:
    """The same for a file known by its name in a storage (a file a task built, not a model's field)."""
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404(missing) from None
    return _attachment(handle, filename=filename, content_type=content_type)


def _attachment(handle, *, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
