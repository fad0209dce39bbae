"""The microdata's files (reports.microdata gives the columns and the chunks): CSV and XLSX written chunk by
chunk, Stata .dta and SPSS .sav from one compact frame, each with variable labels (the question text,
truncated where the format requires) and value labels (the options), and the XLSX codebook; saved into
default storage under microdata/<year>/<scope>/ and described by build()'s return value.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from assessments.models import Period
from kotan.lib.spreadsheet import safe_row
from reports import microdata
from reports.microdata import CODEBOOK, FORMATS, STATA_LABEL, Column


def _spss_label(text: str) -> str:
    """A label cut to the SPSS limit in UTF-8 bytes, never inside a character."""
    return text.encode("utf-8")[: microdata.SPSS_LABEL].decode("utf-8", "ignore")


class _Writers:
    """CSV and XLSX (write-only) open in a temporary folder, fed one chunk at a time."""

    def __init__(self, folder: Path, cols: list[Column]):
        self.paths = {fmt: folder / FORMATS[fmt][0] for fmt in FORMATS}
        self.csv_file = open(self.paths["csv"], "w", newline="", encoding="utf-8")  # noqa: SIM115
        self.csv = csv.writer(self.csv_file)
        self.csv.writerow([c.name for c in cols])
        self.book = openpyxl.Workbook(write_only=True)
        self.sheet = self.book.create_sheet("mikrodata")
        self.sheet.append([c.name for c in cols])

    def write(self, frame: pd.DataFrame) -> None:
        frame = _whole_numbers(frame)
        rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        for row in rows:
            self.csv.writerow(safe_row("" if v is None else v for v in row))
            self.sheet.append(safe_row(row))

    def close(self, cols: list[Column]) -> None:
        self.csv_file.close()
        codebook_sheet(self.book.create_sheet("kodebuku"), cols)
        self.book.save(self.paths["xlsx"])


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Number columns holding whole numbers only as integers, so CSV and XLSX say 7, not 7.0."""
    whole = {}
    for name in frame.columns:
        values = frame[name]
        if values.dtype == "float64" and (values.dropna() % 1 == 0).all():
            whole[name] = values.astype("Int64")
    return frame.assign(**whole)


def _value_text(c: Column) -> str:
    return "; ".join(f"{value} = {label}" for value, label in c.values.items())


CODEBOOK_HEADER = (
    "kolom",
    "kode_pertanyaan",
    "label",
    "jenis",
    "nilai_dan_label",
    "kelompok_ditanya",
    "variabel",
    "indikator",
)


def codebook_sheet(sheet, cols: list[Column]) -> None:
    """One row per microdata column (after the header): name, label, type, values, groups, variable."""
    sheet.append(list(CODEBOOK_HEADER))
    for c in cols:
        sheet.append(
            safe_row([c.name, c.code, c.label, c.kind, _value_text(c), c.groups, c.variable, c.indicator])
        )


def _codebook(path: Path, cols: list[Column], note: str) -> None:
    book = openpyxl.Workbook(write_only=True)
    codebook_sheet(book.create_sheet("kodebuku"), cols)
    book.create_sheet("keterangan").append([note])
    book.save(path)


def _stata(frame: pd.DataFrame, cols: list[Column], path: Path, groups: dict[str, str]) -> None:
    frame = frame.copy()
    frame["kelompok"] = pd.Categorical(frame["kelompok"], categories=list(groups))
    labelled = {c.name: c.values for c in cols if c.values and str(frame[c.name].dtype) == "Int8"}
    frame.to_stata(
        path,
        write_index=False,
        version=118,
        variable_labels={c.name: c.label[:STATA_LABEL] for c in cols},
        value_labels=labelled,
    )


def _spss(frame: pd.DataFrame, cols: list[Column], path: Path, groups: dict[str, str]) -> None:
    numeric = {
        c.name: frame[c.name].astype("float64") for c in cols if c.values and c.question_id is not None
    }
    frame = frame.assign(**numeric)
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={c.name: _spss_label(c.label) for c in cols},
        variable_value_labels={
            **{c.name: {float(k): v for k, v in c.values.items()} for c in cols if c.name in numeric},
            "kelompok": groups,
        },
    )


def _note(period: Period, scope_key: str, rows: int) -> str:
    return _(
        "Mikrodata IKOTAN %(year)s (%(scope)s): %(rows)s kuesioner lengkap dari koleksi yang sudah dikirim, "
        "satu baris per kuesioner. Tanpa nama, desa, teks bebas, token, atau ID."
    ) % {"year": period.year, "scope": scope_key or _("nasional"), "rows": rows}


def _write_all(period: Period, scope_key: str, folder: Path) -> tuple[dict[str, Path], int]:
    cols = microdata.columns(period)
    groups = microdata.group_labels(period)
    writers = _Writers(folder, cols)
    parts = []
    for frame in microdata.chunks(period, scope_key, cols):
        writers.write(frame)
        parts.append(frame)
    writers.close(cols)
    compact = pd.concat(parts, ignore_index=True) if parts else _empty(cols)
    _stata(compact, cols, writers.paths["dta"], groups)
    _spss(compact, cols, writers.paths["sav"], groups)
    _codebook(writers.paths[CODEBOOK], cols, _note(period, scope_key, len(compact)))
    return writers.paths, len(compact)


def _empty(cols: list[Column]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            c.name: pd.Series(dtype="int32" if c.kind == "int" else "str" if c.kind == "text" else "float64")
            for c in cols
        }
    )


def storage_name(period: Period, scope_key: str, fmt: str) -> str:
    scope = scope_key or "nasional"
    return f"microdata/{period.year}/{scope}/ikotan-{period.year}-{scope}-{FORMATS[fmt][0]}"


def build(period: Period, scope_key: str) -> tuple[dict, int]:
    """Write every format of the scope's microdata into default storage (replacing the previous files);
    ({format: {"name", "size"}}, rows)."""
    with tempfile.TemporaryDirectory(prefix="kotan-microdata-") as tmp:
        paths, rows = _write_all(period, scope_key, Path(tmp))
        files = {}
        for fmt, path in paths.items():
            name = storage_name(period, scope_key, fmt)
            default_storage.delete(name)
            with path.open("rb") as handle:
                saved = default_storage.save(name, File(handle, name=path.name))
            files[fmt] = {"name": saved, "size": path.stat().st_size}
    return files, rows
