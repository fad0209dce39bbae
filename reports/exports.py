"""National ranking exports (CSV, XLSX) built from the stored scores, scoped by kotan.access.

One row per participating kab/kota the user may see: the ranked ones by national rank ("r of n" over
all participants, so a BNNP's rows keep their national ranks), then those not ranked (not verified
yet, or quotas not met) with an empty rank. Nothing is scored here: the frame is read from Score rows.
Each row also holds the bootstrap's 95 % intervals (issue 17): the index's and each variable's (0-100) and
the national rank's (empty while the period's rank intervals are being computed). Every text cell (names,
headers) goes through kotan.lib.spreadsheet.safe_cell, so none is read as a formula.
The XLSX holds the table alone on its first sheet (header in row 1, so pandas.read_excel reads it as it
is) and the title, period, time of export, scope and notes on a second sheet.
"""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.models import Role
from assessments.models import Collection, Period
from kotan.access import is_national, visible_regencies
from kotan.lib.spreadsheet import safe_cell, safe_row
from reports import report_data, selectors, uncertainty


def _state_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Collection.State.choices}


def ranking_export_frame(period: Period, user) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The export rows for this user (ranks are national) and the period's variables (code, name).

    Ranks need every participant, so the whole period is read and ranked, then cut to the user's scope.
    """
    scores = report_data.period_scores(period)
    ranking = report_data.ranking_with_previous(scores, report_data.previous_scores(period))
    codes = scores.variable_codes
    frame = scores.frame
    unranked = frame[~frame["code"].isin(ranking["code"])].copy()
    unranked["overall"] = unranked["current"]
    unranked["verified"] = float("nan")
    rows = pd.concat([ranking, unranked], ignore_index=True)
    visible = set(visible_regencies(user).values_list("code", flat=True))
    rows = rows[rows["code"].isin(visible)].reset_index(drop=True)
    state_labels = _state_labels()
    rows["state"] = rows["state"].map(lambda s: state_labels.get(s, s))
    columns = ["rank", "n", "code", "name", "province", "kind", "overall", *codes, "category", "state"]
    columns += ["submitted", "verified", "movement", *INTERVAL_COLUMNS, *variable_ci_columns(codes)]
    rows = _with_intervals(
        rows, frame, codes, uncertainty.rank_ranges(frame, selectors.rank_intervals(period.pk))
    )
    rows = rows.reindex(columns=columns)
    return rows, scores.variables


INTERVAL_COLUMNS = ["ci_low", "ci_high", "rank_low", "rank_high"]


def variable_ci_columns(codes: list[str]) -> list[str]:
    return [f"{code}_ci_{end}" for code in codes for end in ("low", "high")]


def _with_intervals(rows: pd.DataFrame, frame: pd.DataFrame, codes, ranges) -> pd.DataFrame:
    """The rows with their 95 % intervals: the index's and each variable's (Score.ci, 0-100) and the national
    rank's (only from rank intervals of this ranked set: uncertainty.rank_ranges)."""
    by_code = frame.set_index("code")
    ci, ids = rows["code"].map(by_code["ci"]), rows["code"].map(by_code["collection_id"])
    overall = [uncertainty.interval(value, "overall") for value in ci]
    national = [ranges.of(cid) if not pd.isna(cid) else None for cid in ids]
    values = {
        "ci_low": [v[0] if v else None for v in overall],
        "ci_high": [v[1] if v else None for v in overall],
        "rank_low": pd.array([v[0] if v else None for v in national], dtype="Int64"),
        "rank_high": pd.array([v[1] if v else None for v in national], dtype="Int64"),
    }
    for code in codes:
        found = [uncertainty.interval(value, "variables", code) for value in ci]
        values[f"{code}_ci_low"] = [v[0] if v else None for v in found]
        values[f"{code}_ci_high"] = [v[1] if v else None for v in found]
    return rows.assign(**{k: pd.Series(v, index=rows.index, dtype=None) for k, v in values.items()})


def _headers(variables: list[tuple[str, str]]) -> list[str]:
    ends = (_("bawah"), _("atas"))
    return [
        _("Peringkat"),
        _("Dari"),
        _("Kode"),
        _("Kabupaten/kota"),
        _("Provinsi"),
        _("Jenis"),
        _("IKOTAN (0–100)"),
        *[name for _code, name in variables],
        _("Kategori"),
        _("Status"),
        _("Skor saat dikirim"),
        _("Skor terverifikasi"),
        _("Perubahan peringkat"),
        _("IKOTAN 95 % bawah"),
        _("IKOTAN 95 % atas"),
        _("Peringkat 95 % terbaik"),
        _("Peringkat 95 % terburuk"),
        *[_("%(name)s 95 %% %(end)s") % {"name": name, "end": end} for _c, name in variables for end in ends],
    ]


def _cell(value):
    """A frame value as written to a cell: numbers rounded, missing as None, texts safe from formulas."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 2)
    if hasattr(value, "item"):  # numpy scalar
        return _cell(value.item())
    return safe_cell(value)


def _records(rows: pd.DataFrame):
    for rec in rows.itertuples(index=False, name=None):
        yield [_cell(v) for v in rec]


def ranking_csv(rows: pd.DataFrame, variables: list[tuple[str, str]]) -> bytes:
    """UTF-8 with a BOM so Excel opens it with the right characters; decimal point, comma separated."""
    out = io.StringIO()
    writer = csv.writer(out)
    with translation.override("id"):
        writer.writerow(safe_row(_headers(variables)))  # variable names are written by BNN pusat
    for rec in _records(rows):
        writer.writerow(["" if v is None else v for v in rec])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def scope_label(user) -> str:
    """What the rows cover, in words (the rows themselves are cut by kotan.access.visible_regencies)."""
    if is_national(user):
        return _("Nasional (semua kab/kota peserta)")
    if user.role == Role.BNNP and user.province_id is not None:
        return _("Provinsi %(name)s") % {"name": user.province.name}
    if user.role == Role.BNNK and user.regency_id is not None:
        return user.regency.name
    return _("Tidak ada")


def ranking_metadata(period: Period, user, rows: pd.DataFrame, *, title: str) -> list[tuple[str, str]]:
    """(label, value) lines for the XLSX's second sheet: what the table is, when and for whom."""
    now = timezone.localtime()
    return [
        (_("Judul"), title),
        (_("Periode"), f"{period.year}: {period.name}"),
        (_("Dibuat pada"), now.strftime("%Y-%m-%d %H:%M ") + now.tzname()),
        (_("Cakupan"), scope_label(user)),
        (_("Jumlah baris"), str(len(rows))),
        (
            _("Catatan"),
            _(
                "Peringkat nasional (r dari n peserta yang diperingkat), juga bila baris dipotong ke cakupan "
                "pengguna. Kab/kota yang belum terverifikasi atau belum memenuhi kuota tercantum tanpa "
                "peringkat. Skor 0–100 dari skor tersimpan, dibulatkan 2 desimal."
            ),
        ),
        (
            _("Rentang 95 %"),
            _(
                "Kolom “95 %” memuat interval kepercayaan 95 % dari bootstrap atas kuesioner dalam tiap "
                "kelompok responden: indeks dan variabel (0–100) serta peringkat nasional. Kosong bila belum "
                "dihitung; rentang peringkat kosong selama rentang periode ini sedang dihitung."
            ),
        ),
    ]


def ranking_xlsx(
    rows: pd.DataFrame, variables: list[tuple[str, str]], *, metadata: list[tuple[str, str]]
) -> bytes:
    """A write-only workbook (streams rows: 514 rows well under a second). First sheet: the header in row 1
    and one row per kab/kota, nothing else; second sheet: the metadata lines (label, value)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_("Peringkat")[:31])
    ws.freeze_panes = "A2"
    with translation.override("id"):
        headers = safe_row(_headers(variables))
    widths = [10, 6, 7, 32, 26, 11, 12, *[14] * len(variables), 16, 14, 12, 12, 12, 12, 12, 12, 12]
    widths += [14] * (2 * len(variables))
    for i, width in enumerate(widths[: len(headers)]):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE3EA")
    header_row = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        cell.fill = fill
        header_row.append(cell)
    ws.append(header_row)
    for rec in _records(rows):
        ws.append(rec)
    about = wb.create_sheet(title=_("Keterangan")[:31])
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 100
    for label, value in metadata:
        label_cell = WriteOnlyCell(about, value=safe_cell(label))
        label_cell.font = bold
        about.append([label_cell, safe_cell(value)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
