"""The one rule for zip-based uploads (XLSX, DOCX): limits on members, inflated size and compression ratio.

Used by every place that accepts an Office Open XML file (evidence, Excel bulk entry, instrument import,
user import) so a zip bomb is refused the same way everywhere. Only the zip's central directory is read
(ZipInfo.file_size / compress_size); nothing is ever inflated here. Python's zipfile never inflates a
member beyond the file_size its directory declares, so a lying directory cannot get past these limits
when openpyxl reads the file afterwards.

Measured on openpyxl workbooks: 9 members, XML parts compressed 7-16:1 (the bulk-entry template 8:1,
100,000 identical rows 16:1, 200,000 formatted empty cells 10:1, 20,000 x 50 answers 11:1). A zip bomb
inflates at deflate's maximum, about 1000:1. The limits below leave real files far behind.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable

from django.utils.translation import gettext as _

MAX_UNZIPPED = 40 * 1024 * 1024  # all members together, inflated
MAX_MEMBERS = 10_000  # a real XLSX/DOCX has tens to a few hundred (one per sheet, image, chart)
MAX_RATIO = 100  # inflated:compressed, per member and overall (Apache POI's default is the same 1%)
RATIO_FROM = 1024 * 1024  # the ratio is judged only above this inflated size: tiny parts compress wildly


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",").replace(",0 MB", " MB")


def _ratio_too_high(inflated: int, compressed: int) -> bool:
    return inflated > RATIO_FROM and inflated > MAX_RATIO * max(compressed, 1)


def directory_problem(infos: Iterable[zipfile.ZipInfo]) -> str | None:
    """Why a zip with this directory is refused (a readable sentence), or None when it is acceptable."""
    infos = list(infos)
    if len(infos) > MAX_MEMBERS:
        return _(
            "Berkas ini berisi terlalu banyak bagian (%(n)s, maksimal %(max)s); kemungkinan 'zip bomb', "
            "berkas ditolak."
        ) % {"n": f"{len(infos):,}".replace(",", "."), "max": f"{MAX_MEMBERS:,}".replace(",", ".")}
    inflated = sum(i.file_size for i in infos)
    if inflated > MAX_UNZIPPED:
        return _(
            "Berkas ini berisi data terkompresi yang terlalu besar (%(size)s setelah diekstrak, maksimal "
            "%(max)s); kemungkinan 'zip bomb', berkas ditolak."
        ) % {"size": _mb(inflated), "max": _mb(MAX_UNZIPPED)}
    compressed = sum(i.compress_size for i in infos)
    if _ratio_too_high(inflated, compressed) or any(
        _ratio_too_high(i.file_size, i.compress_size) for i in infos
    ):
        return _(
            "Berkas ini berisi data yang dimampatkan secara tidak wajar (lebih dari %(ratio)d kali); "
            "kemungkinan 'zip bomb', berkas ditolak."
        ) % {"ratio": MAX_RATIO}
    return None


def file_problem(fileobj) -> str | None:
    """directory_problem() of the zip in this seekable file (left at position 0); a damaged zip is one too."""
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            return directory_problem(archive.infolist())
    except Exception:  # BadZipFile, but also NotImplementedError, EOFError, ... on damaged headers
        return _("Berkas arsip rusak dan tidak dapat dibaca.")
    finally:
        fileobj.seek(0)
