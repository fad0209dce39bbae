"""Evidence (bukti dukung): check an uploaded file by its content, store it, delete it, list the checklist.

A file is accepted only when its bytes are a PDF, JPEG, PNG, XLSX or DOCX (the name is never trusted)
and it is not larger than settings.EVIDENCE_MAX_BYTES; an XLSX or DOCX must also pass the zip limits
every Office upload passes (kotan.lib.zipcheck: members, inflated size, compression ratio; a zip bomb is
refused before anything is written). It is stored under a random name (models.evidence_upload_to) in
MEDIA_ROOT and served only by a scope-checked view. A deleted document keeps its history row and its
file on disk, so a reviewer can still see what was removed.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from instruments.models import EvidenceType, Question
from kotan.lib import zipcheck
from kotan.lib.service_errors import ServiceError

from .. import workflow
from ..models import Collection, Evidence

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
HEAD_BYTES = 8192  # enough for filetype's signatures

PDF = ("application/pdf", "pdf")
JPEG = ("image/jpeg", "jpg")
PNG = ("image/png", "png")
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
ALLOWED = {"pdf": PDF, "jpg": JPEG, "png": PNG, "xlsx": XLSX, "docx": DOCX}
ALLOWED_LABEL = "PDF, JPEG, PNG, XLSX, DOCX"
ACCEPT_ATTR = ".pdf,.jpg,.jpeg,.png,.xlsx,.docx"

# Readable names of what people commonly try to upload instead.
DETECTED_NAMES = {
    "exe": gettext_lazy("program Windows (EXE)"),
    "elf": gettext_lazy("program Linux (ELF)"),
    "zip": gettext_lazy("arsip ZIP"),
    "rar": gettext_lazy("arsip RAR"),
    "7z": gettext_lazy("arsip 7z"),
    "gz": gettext_lazy("arsip GZIP"),
    "gif": gettext_lazy("gambar GIF"),
    "webp": gettext_lazy("gambar WEBP"),
    "heic": gettext_lazy("gambar HEIC"),
    "bmp": gettext_lazy("gambar BMP"),
    "tif": gettext_lazy("gambar TIFF"),
    "mp4": gettext_lazy("video MP4"),
    "doc": gettext_lazy("dokumen Word lama (DOC)"),
    "xls": gettext_lazy("lembar kerja Excel lama (XLS)"),
    "ppt": gettext_lazy("presentasi PowerPoint lama (PPT)"),
    "pptx": gettext_lazy("presentasi PowerPoint (PPTX)"),
    "odt": gettext_lazy("dokumen OpenDocument (ODT)"),
    "ods": gettext_lazy("lembar kerja OpenDocument (ODS)"),
    "html": gettext_lazy("halaman HTML"),
}


@dataclass(frozen=True)
class Detected:
    content_type: str
    extension: str


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_size_label() -> str:
    """The limit as people read it: "10 MB", or "500 KB" for a small test limit."""
    limit = max_bytes()
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB".replace(".", ",")
    return f"{max(1, limit // 1024)} KB"


def _format_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1024))} KB"


def _office_kind(fileobj) -> str | None:
    """'xlsx' or 'docx' when the zip is an Office Open XML package of that kind, else None.

    Only the zip's directory is read (no member is decompressed except the small [Content_Types].xml),
    so a zip bomb costs nothing.
    """
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                return None
            types = archive.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError, NotImplementedError):
        return None
    if "xl/workbook.xml" in names and "spreadsheetml.sheet.main+xml" in types:
        return "xlsx"
    if "word/document.xml" in names and "wordprocessingml.document.main+xml" in types:
        return "docx"
    return None


def detect_type(fileobj) -> tuple[Detected | None, str]:
    """(allowed type, "") when the content is an allowed type; else (None, a readable detected type)."""
    fileobj.seek(0)
    head = fileobj.read(HEAD_BYTES)
    fileobj.seek(0)
    kind = filetype.guess(head) if head else None
    ext = kind.extension if kind else ""
    if head.startswith(b"PK\x03\x04"):
        office = _office_kind(fileobj)
        fileobj.seek(0)
        if office:
            return Detected(*ALLOWED[office]), ""
        if ext in ("xlsx", "docx"):
            ext = "zip"  # looks like Office from the first bytes but is not a valid package
    if ext in ("pdf", "jpg", "png"):
        return Detected(*ALLOWED[ext]), ""
    if kind is None:
        return None, _("tidak dikenali")
    name = DETECTED_NAMES.get(ext)
    return None, (str(name) if name else f"{ext.upper()} ({kind.mime})")


def download_name(original: str, detected: Detected) -> str:
    """The original name, with the real extension when the name claimed another type."""
    base = os.path.basename(original.replace("\\", "/")).strip() or "bukti"
    stem, ext = os.path.splitext(base)
    ext = ext.lower().lstrip(".")
    if ext == detected.extension or (detected.extension == "jpg" and ext == "jpeg"):
        return base[:255]
    return f"{(stem or 'bukti')[:240]}.{detected.extension}"


def check_upload(uploaded_file) -> Detected:
    """The file's real type when it passes every evidence check (present, not empty, not above
    max_bytes(), an allowed type by content, an Office file within the zip limits); else ServiceError
    with the reason. Also used by the plans' follow-up files (one set of file rules)."""
    if uploaded_file is None:
        raise ServiceError(_("Pilih berkas yang akan diunggah."), code="no_file")
    size = uploaded_file.size or 0
    if size == 0:
        raise ServiceError(_("Berkas kosong; pilih berkas lain."), code="empty")
    if size > max_bytes():
        raise ServiceError(
            _("Berkas terlalu besar (%(size)s). Ukuran maksimum %(max)s per berkas.")
            % {"size": _format_size(size), "max": max_size_label()},
            code="too_big",
        )
    detected, seen = detect_type(uploaded_file)
    if detected is None:
        raise ServiceError(
            _("Jenis berkas tidak diizinkan (terdeteksi: %(seen)s). Yang diizinkan: %(allowed)s.")
            % {"seen": seen, "allowed": ALLOWED_LABEL},
            code="bad_type",
        )
    if detected.extension in ("xlsx", "docx"):
        problem = zipcheck.file_problem(uploaded_file)
        if problem:
            raise ServiceError(problem, code="zip_bomb")
    return detected


def evidence_upload(
    *,
    collection: Collection,
    user,
    uploaded_file,
    title: str = "",
    evidence_type: EvidenceType | None = None,
    questions=(),
    client_uuid=None,
) -> Evidence:
    """Store one document for the collection, or raise ServiceError with the reason; nothing is kept then.
    `client_uuid`: the id an offline client gave the file (the field kit's photo upload), unique."""
    workflow.ensure_can_enter(user, collection)
    workflow.ensure_can_change_evidence(collection, evidence_type_id=getattr(evidence_type, "pk", None))
    instrument_id = collection.period.instrument_id
    if evidence_type is not None and evidence_type.instrument_id != instrument_id:
        raise ServiceError(_("Jenis bukti bukan bagian dari instrumen periode ini."), code="wrong_type")
    questions = list(questions)
    if any(q.instrument_id != instrument_id for q in questions):
        raise ServiceError(
            _("Pertanyaan yang dipilih bukan bagian dari instrumen periode ini."), code="wrong_question"
        )
    detected = check_upload(uploaded_file)
    size = uploaded_file.size
    original = (uploaded_file.name or "").strip()
    title = title.strip()[:200] or os.path.splitext(os.path.basename(original))[0][:200] or _("Bukti dukung")
    with transaction.atomic():
        doc = Evidence(
            collection=collection,
            evidence_type=evidence_type,
            title=title,
            original_name=download_name(original, detected),
            content_type=detected.content_type,
            size=size,
            uploaded_by=user,
            client_uuid=client_uuid,
        )
        if evidence_type is not None and not questions:
            # Unless told otherwise, a document supports the questions its type supports.
            questions = list(evidence_type.questions.all())
        doc._history_user = user
        uploaded_file.seek(0)
        doc.file.save("bukti", uploaded_file, save=False)
        try:
            doc.save()
            doc.questions.set(questions)
        except Exception:
            doc.file.delete(save=False)  # no orphan file when the row could not be written
            raise
    return doc


def evidence_delete(*, evidence: Evidence, user) -> None:
    """Remove a document while the collection is editable; its history row (and file) stay."""
    collection = evidence.collection
    workflow.ensure_can_enter(user, collection)
    workflow.ensure_can_change_evidence(
        collection, evidence_type_id=evidence.evidence_type_id, evidence_id=evidence.pk
    )
    evidence._history_user = user
    evidence.delete()


def collection_checklist(collection: Collection) -> list[dict]:
    """Each evidence type of the period's instrument (required first) with its documents, then the
    documents without a type. Three queries whatever the number of documents."""
    docs = list(
        Evidence.objects.filter(collection=collection)
        .select_related("uploaded_by")
        .prefetch_related(
            Prefetch("questions", queryset=Question.objects.only("id", "code", "instrument_id"))
        )
        .order_by("-uploaded_at", "-id")
    )
    by_type: dict[int | None, list[Evidence]] = {}
    for doc in docs:
        by_type.setdefault(doc.evidence_type_id, []).append(doc)
    rows = [
        {"type": et, "documents": by_type.get(et.pk, []), "missing": et.required and not by_type.get(et.pk)}
        for et in EvidenceType.objects.filter(instrument_id=collection.period.instrument_id).order_by(
            "-required", "order", "id"
        )
    ]
    untyped = by_type.get(None, [])
    if untyped:
        rows.append({"type": None, "documents": untyped, "missing": False})
    return rows
