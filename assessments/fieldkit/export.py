"""The field kit's last resort: a device's queue as the Excel bulk-entry template (bulk/workbook.py), one
workbook per respondent group, so the import page (parse_upload) takes the queued questionnaires as they
are when the sync cannot (a closed collection, a device about to be handed back)."""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _

from instruments.models import RespondentGroup
from kotan.lib.service_errors import ServiceError

from ..bulk import workbook
from ..models import Collection
from .payload import QuestionnaireIn

ZIP_CONTENT_TYPE = "application/zip"


def _row(item: QuestionnaireIn) -> dict:
    return {
        "label": item.label,
        "village": item.village,
        "filled_on": item.filled_on,
        "answers": {a.question: a.value for a in item.answers},
    }


def queue_workbooks(collection: Collection, items: list[QuestionnaireIn]) -> list[tuple[str, bytes]]:
    """(file name, xlsx) per respondent group of the queue, in the instrument's group order."""
    if not items:
        raise ServiceError(_("Antrean kosong; tidak ada yang diekspor."), code="empty")
    if len(items) > workbook.MAX_ROWS:
        raise ServiceError(
            _("Antrean berisi lebih dari %(n)d kuesioner; ekspor sebagian dulu.") % {"n": workbook.MAX_ROWS},
            code="too_many",
        )
    groups = list(
        RespondentGroup.objects.filter(instrument_id=collection.period.instrument_id).order_by("order")
    )
    known = {g.code for g in groups}
    unknown = sorted({item.group for item in items} - known)
    if unknown:
        raise ServiceError(
            _("Kelompok responden tidak dikenal: %(codes)s.") % {"codes": ", ".join(unknown)},
            code="unknown_group",
        )
    return [
        (
            workbook.template_filename(collection, g),
            workbook.build_template(collection, g, rows=[_row(i) for i in items if i.group == g.code]),
        )
        for g in groups
        if any(i.group == g.code for i in items)
    ]


def queue_download(collection: Collection, items: list[QuestionnaireIn]) -> tuple[str, str, bytes]:
    """(file name, content type, bytes): the one workbook, or a zip of one workbook per group."""
    files = queue_workbooks(collection, items)
    if len(files) == 1:
        return files[0][0], workbook.XLSX_CONTENT_TYPE, files[0][1]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    name = f"ikotan-{collection.period.year}-{collection.regency.code}-antrean.zip"
    return name, ZIP_CONTENT_TYPE, out.getvalue()
