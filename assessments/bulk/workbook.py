"""Excel bulk entry: the XLSX template of one respondent group, the upload preview, and the atomic apply.

For paper forms and bad connections: the BNNK downloads a template (one row per respondent, one column
per question, dropdowns, a hidden "meta" sheet naming instrument version, year, kab/kota and group),
fills it offline, uploads it, sees a preview of every questionnaire and every problem, and applies it.

Rules: a file with any error (unreadable or a zip bomb per kotan.lib.zipcheck, another kab/kota, period or
instrument version, unknown column, value out of range, text too long, bad date, a formula or a text
beginning with "=") creates nothing. A row whose required answers are missing is imported as a draft
and listed as a warning. Fully empty rows are skipped. Apply runs in one transaction, writes history
rows with simple_history's bulk_create_with_history and asks for the score once per import, after commit.

The template download writes instrument texts (question text, option labels: written by BNN pusat)
through kotan.lib.spreadsheet.safe_cell, like every export.

Between preview and apply the uploaded bytes wait in a private directory under a random token
(pending_* below); the file name carries the user and collection, and apply claims the file with an
atomic rename, so a double click or a second tab cannot import the same upload twice.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import re
import secrets
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from simple_history.utils import bulk_create_with_history

from instruments.models import Question, RespondentGroup
from kotan.lib import zipcheck
from kotan.lib.service_errors import ServiceError
from kotan.lib.spreadsheet import restore_cell, safe_cell, safe_row

from .. import selectors, signals, workflow
from ..answers import NUMBER, YESNO, parse_value
from ..models import Answer, Collection, Questionnaire

FORMAT = "ikotan-kuesioner-1"
SHEET_DATA = "kuesioner"
SHEET_HELP = "petunjuk"
SHEET_META = "meta"
CODE_ROW = 1  # question codes: what the import reads
TEXT_ROW = 2  # question text: for people
FIRST_DATA_ROW = 3

MAX_BYTES = getattr(settings, "EXCEL_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# A zip bomb (members, inflated size, compression ratio) is refused by kotan.lib.zipcheck, as for evidence.
# Filled rows per file. A kab/kota collects ~180 questionnaires per period, so 1,000 is generous; it
# bounds one request (1,000 rows x 50 answers with history: about 5 s on SQLite, see the report figure).
MAX_ROWS = 1000
MAX_COLUMNS = 300
VALIDATED_ROWS = MAX_ROWS  # rows of the template that carry dropdowns

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LABEL, VILLAGE, DATE = "label", "desa_kelurahan", "tanggal_pengisian"
FIXED_MAX_LENGTH = {LABEL: 200, VILLAGE: 120}
# Header spellings accepted for the fixed columns (lower case, spaces and slashes as underscores).
FIXED_ALIASES = {
    LABEL: LABEL,
    "lembaga_rumah_tangga": LABEL,
    "lembaga": LABEL,
    "rumah_tangga": LABEL,
    VILLAGE: VILLAGE,
    "desa": VILLAGE,
    "kelurahan": VILLAGE,
    DATE: DATE,
    "tanggal": DATE,
}
DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d")

ERROR, WARNING = "error", "warning"


# --- results -------------------------------------------------------------------------------------


@dataclass
class Problem:
    """One problem of an upload. `row` is the sheet row (None for the whole file), `column` the letter."""

    message: str
    row: int | None = None
    column: str = ""
    header: str = ""
    level: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    @property
    def where(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(_("Baris %(n)d") % {"n": self.row})
        if self.column:
            col = _("kolom %(c)s") % {"c": self.column}
            parts.append(f"{col} ({self.header})" if self.header else col)
        return ", ".join(parts) if parts else _("Berkas")


@dataclass
class PlannedRow:
    """A questionnaire the upload would create."""

    row: int
    label: str = ""
    village: str = ""
    filled_on: datetime.date | None = None
    answers: dict[int, float] = field(default_factory=dict)  # question id -> value
    missing_required: list[str] = field(default_factory=list)
    errors: int = 0

    @property
    def complete(self) -> bool:
        return not self.missing_required and not self.errors


@dataclass
class Preview:
    collection: Collection
    group: RespondentGroup | None = None
    filename: str = ""
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    question_count: int = 0
    fatal: bool = False  # the file itself could not be read as this collection's template

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def complete_count(self) -> int:
        return sum(1 for r in self.rows if r.complete)

    @property
    def draft_count(self) -> int:
        return sum(1 for r in self.rows if not r.complete)

    def add(self, message: str, **where) -> None:
        self.problems.append(Problem(message, **where))

    def refuse(self, message: str) -> Preview:
        self.problems.append(Problem(message))
        self.fatal = True
        return self


# --- template ------------------------------------------------------------------------------------


def template_filename(collection: Collection, group: RespondentGroup) -> str:
    return f"ikotan-{collection.period.year}-{collection.regency.code}-{group.code}.xlsx"


def _fmt(value: float) -> str:
    return f"{value:g}"


def _allowed_text(question: Question) -> str:
    """What a cell of this question accepts, in words (help sheet, prompts)."""
    options = list(question.options.all())
    if question.kind == NUMBER:
        return _("Angka 0 atau lebih")
    if question.kind == YESNO:
        return _("Ya atau Tidak")
    return "; ".join(f"{_fmt(o.value)} = {o.label}" for o in options)


def _dropdown_values(question: Question) -> list[str]:
    if question.kind == YESNO:
        return ["Ya", "Tidak"]
    return [_fmt(o.value) for o in question.options.all()]


def _answer_cell(question: Question, raw):
    """A typed answer as a template cell: a number, "Ya"/"Tidak" for yes/no, or the text as typed (the
    import then says what is wrong with it)."""
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        return safe_cell(str(raw))
    if question.kind == YESNO and value in (0, 1):
        return "Ya" if value == 1 else "Tidak"
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _fill_rows(ws, questions: list[Question], rows) -> None:
    """Rows already filled (the field kit's queue, assessments/fieldkit/export.py), from row 3: each a dict
    of label, village, filled_on (a date or None) and answers {question id: typed value}."""
    for number, row in enumerate(rows, start=FIRST_DATA_ROW):
        ws.cell(number, 1, safe_cell(row.get("label") or None))
        ws.cell(number, 2, safe_cell(row.get("village") or None))
        ws.cell(number, 3, row.get("filled_on"))
        for col, q in enumerate(questions, start=4):
            raw = row["answers"].get(q.pk)
            if raw is not None and str(raw).strip() != "":
                ws.cell(number, col, _answer_cell(q, raw))


def build_template(collection: Collection, group: RespondentGroup, rows=()) -> bytes:
    """The XLSX to fill offline for one respondent group of this collection; `rows` (see _fill_rows)
    are written in already, so the import page takes them as they are."""
    period = collection.period
    instrument = period.instrument
    questions = list(selectors.group_questions(group))
    last_row = FIRST_DATA_ROW + VALIDATED_ROWS - 1

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET_DATA
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    text_fill = PatternFill("solid", fgColor="F2F2F2")
    wrap = Alignment(wrap_text=True, vertical="top")

    fixed = [
        (LABEL, _("Lembaga / rumah tangga (tanpa nama pribadi)"), 28),
        (VILLAGE, _("Desa/kelurahan"), 20),
        (DATE, _("Tanggal pengisian (HH-BB-TTTT)"), 16),
    ]
    for col, (code, text, width) in enumerate(fixed, start=1):
        ws.cell(CODE_ROW, col, code).font = bold
        ws.cell(CODE_ROW, col).fill = head_fill
        cell = ws.cell(TEXT_ROW, col, text)
        cell.alignment, cell.fill = wrap, text_fill
        ws.column_dimensions[get_column_letter(col)].width = width
    date_col = get_column_letter(3)
    dv_date = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="DATE(2000,1,1)",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Tanggal tidak valid"),
        error=_("Isi tanggal, misalnya 15-03-2026."),
    )
    dv_date.add(f"{date_col}{FIRST_DATA_ROW}:{date_col}{last_row}")
    ws.add_data_validation(dv_date)
    for row in range(FIRST_DATA_ROW, last_row + 1):
        ws.cell(row, 3).number_format = "DD-MM-YYYY"

    for col, q in enumerate(questions, start=len(fixed) + 1):
        letter = get_column_letter(col)
        head = ws.cell(CODE_ROW, col, q.code)
        head.font, head.fill = bold, head_fill
        required = _("wajib") if q.required else _("boleh kosong")
        head.comment = Comment(f"{q.text}\n\n{_allowed_text(q)}\n({required})"[:1000], "KOTAN")
        cell = ws.cell(TEXT_ROW, col, safe_cell(q.text + ("" if q.required else " " + _("(boleh kosong)"))))
        cell.alignment, cell.fill = wrap, text_fill
        ws.column_dimensions[letter].width = 16
        if q.kind == NUMBER:
            dv = DataValidation(
                type="decimal",
                operator="greaterThanOrEqual",
                formula1="0",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("Bukan angka"),
                error=_("Isi angka 0 atau lebih."),
            )
        else:
            values = _dropdown_values(q)
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(values) + '"',
                allow_blank=True,
                showErrorMessage=True,
                showInputMessage=True,
                errorTitle=_("Nilai tidak tersedia"),
                error=(_("Pilih salah satu: %(v)s") % {"v": ", ".join(values)})[:255],
                promptTitle=q.code[:32],
                prompt=_allowed_text(q)[:255],
            )
        dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
        ws.add_data_validation(dv)
    ws.row_dimensions[TEXT_ROW].height = 75
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 2)
    _fill_rows(ws, questions, rows)

    _help_sheet(wb.create_sheet(SHEET_HELP), collection, group, questions)

    meta = wb.create_sheet(SHEET_META)
    for key, value in [
        ("format", FORMAT),
        ("instrumen", instrument.version),
        ("tahun", period.year),
        ("kab_kota", collection.regency.code),
        ("nama_kab_kota", collection.regency.name),
        ("kelompok", group.code),
        ("nama_kelompok", group.name),
        ("dibuat", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]:
        meta.append([key, safe_cell(value)])  # read back through restore_cell (_read_meta)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True

    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _help_sheet(ws, collection: Collection, group: RespondentGroup, questions: list[Question]) -> None:

    period = collection.period
    lines = [
        (_("Petunjuk pengisian kuesioner IKOTAN"), True),
        (
            _("%(regency)s · %(period)s · kelompok %(group)s · instrumen %(version)s")
            % {
                "regency": collection.regency.name,
                "period": period.name,
                "group": group.name,
                "version": period.instrument.version,
            },
            False,
        ),
        ("", False),
        (_('1. Isi lembar "kuesioner": satu baris untuk satu responden, mulai baris 3.'), False),
        (
            _(
                "2. Kolom label: nama lembaga atau kode rumah tangga. Jangan menulis nama pribadi, NIK, "
                "atau nomor telepon."
            ),
            False,
        ),
        (_("3. Tanggal pengisian ditulis HH-BB-TTTT, misalnya 15-03-2026. Kosong: tanggal unggah."), False),
        (_("4. Pilih jawaban dari daftar pada tiap sel. Nilai yang diizinkan ada di tabel di bawah."), False),
        (
            _(
                "5. Jangan mengubah baris 1 (kode pertanyaan), jangan menambah kolom, dan jangan "
                'menghapus lembar tersembunyi "meta".'
            ),
            False,
        ),
        (
            _(
                "6. Baris yang pertanyaan wajibnya belum lengkap diimpor sebagai draf; lengkapi nanti "
                "di aplikasi. Baris kosong dilewati."
            ),
            False,
        ),
        (
            _(
                "7. Unggah berkas ini di halaman koleksi (Unggah Excel). Periksa pratinjau, lalu klik "
                "Terapkan. Berkas yang masih bermasalah tidak diimpor sama sekali."
            ),
            False,
        ),
        (
            _("Berkas ini hanya untuk %(regency)s, periode %(year)s, kelompok %(group)s.")
            % {"regency": collection.regency.name, "year": period.year, "group": group.name},
            False,
        ),
        ("", False),
    ]
    for text, strong in lines:
        ws.append([safe_cell(text)])
        if strong:
            ws.cell(ws.max_row, 1).font = Font(bold=True, size=13)
    ws.append([_("Kode"), _("Pertanyaan"), _("Nilai yang diizinkan"), _("Wajib")])
    header_row = ws.max_row
    for col in range(1, 5):
        ws.cell(header_row, col).font = Font(bold=True)
    for q in questions:
        ws.append(safe_row([q.code, q.text, _allowed_text(q), _("ya") if q.required else _("tidak")]))
        for col in (2, 3):
            ws.cell(ws.max_row, col).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 45
    ws.column_dimensions["D"].width = 8


# --- reading an upload ---------------------------------------------------------------------------


def _read_bytes(fileobj) -> bytes:
    if isinstance(fileobj, bytes | bytearray):
        return bytes(fileobj[: MAX_BYTES + 1])
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    return fileobj.read(MAX_BYTES + 1)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_key(value) -> str:
    return re.sub(r"[\s/]+", "_", _cell_text(value).lower())


def max_mb_label() -> str:
    return f"{MAX_BYTES / (1024 * 1024):g}"


def _open_workbook(data: bytes, preview: Preview):
    """The workbook, or None with a fatal problem explaining why the bytes are not a usable XLSX."""

    if not data:
        preview.refuse(_("Berkas kosong. Pilih berkas XLSX hasil template."))
        return None
    if len(data) > MAX_BYTES:
        preview.refuse(_("Berkas terlalu besar (maksimal %(mb)s MB).") % {"mb": max_mb_label()})
        return None
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        preview.refuse(
            _("Berkas ini format Excel lama (.xls) atau terenkripsi. Simpan sebagai .xlsx lalu unggah lagi.")
        )
        return None
    not_xlsx = _("Berkas ini bukan XLSX. Unggah template Excel (.xlsx) yang diunduh dari halaman koleksi.")
    if not data.startswith(b"PK\x03\x04"):
        preview.refuse(not_xlsx)
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except Exception:  # BadZipFile, but also NotImplementedError, EOFError, ... on damaged headers
        preview.refuse(_("Berkas XLSX rusak dan tidak dapat dibaca. Simpan ulang di Excel lalu unggah lagi."))
        return None
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        preview.refuse(not_xlsx)
        return None
    problem = zipcheck.directory_problem(infos)
    if problem:
        preview.refuse(problem)
        return None
    try:
        # Not data_only: a formula cell must be seen as a formula (refused), not as its cached value or
        # as None when it has none (a file written by a program: =HYPERLINK(...) would vanish silently).
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # a damaged part inside a valid zip is the user's file, never our 500
        preview.refuse(_("Berkas XLSX rusak dan tidak dapat dibaca. Simpan ulang di Excel lalu unggah lagi."))
        return None


def _read_meta(wb) -> dict[str, str]:
    meta = {}
    for row in wb[SHEET_META].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
        if row and row[0] is not None:
            meta[_header_key(row[0])] = _cell_text(restore_cell(row[1] if len(row) > 1 else None))
    return meta


def _check_meta(meta: dict, collection: Collection, preview: Preview) -> RespondentGroup | None:
    period = collection.period
    regency = collection.regency
    if meta.get("format") != FORMAT:
        preview.refuse(
            _('Lembar "meta" tidak dikenali. Unduh template baru dari halaman koleksi lalu salin isinya.')
        )
        return None
    if meta.get("kab_kota") != regency.code:
        preview.refuse(
            _(
                "Berkas ini milik kab/kota lain (%(other)s), bukan %(ours)s. Tidak ada yang diimpor; "
                "gunakan template dari halaman koleksi %(ours)s."
            )
            % {
                "other": (meta.get("nama_kab_kota") or "?") + f" {meta.get('kab_kota') or ''}".rstrip(),
                "ours": regency.name,
            }
        )
        return None
    if meta.get("tahun") != str(period.year):
        preview.refuse(
            _("Berkas ini untuk periode %(other)s, bukan %(ours)s. Unduh template periode %(ours)s.")
            % {"other": meta.get("tahun") or "?", "ours": period.year}
        )
        return None
    if meta.get("instrumen") != period.instrument.version:
        preview.refuse(
            _(
                "Berkas ini dibuat untuk instrumen versi %(other)s, sedangkan periode ini memakai versi "
                "%(ours)s. Unduh template baru; pertanyaannya bisa berbeda."
            )
            % {"other": meta.get("instrumen") or "?", "ours": period.instrument.version}
        )
        return None
    group = RespondentGroup.objects.filter(
        instrument_id=period.instrument_id, code=meta.get("kelompok")
    ).first()
    if group is None:
        preview.refuse(
            _('Kelompok responden "%(code)s" tidak dikenal pada instrumen periode ini.')
            % {"code": (meta.get("kelompok") or "?")[:40]}
        )
    return group


def _parse_date(value, today: datetime.date) -> tuple[datetime.date | None, str]:
    """(date, "") or (None, message). Empty means the upload date."""
    if value is None or _cell_text(value) == "":
        return today, ""
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # A date typed in a cell not formatted as a date arrives as Excel's serial number.

        try:
            day = from_excel(value).date() if 1 <= value <= 2958465 else None
        except (ValueError, OverflowError, TypeError, AttributeError):
            day = None
        if day is None:
            return None, _("Tanggal tidak valid. Tulis HH-BB-TTTT, misalnya 15-03-2026.")
    else:
        text = _cell_text(value)[:40]
        for fmt in DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(text.split(" ")[0], fmt).date()
                break
            except ValueError:
                continue
        else:
            return None, _('Tanggal "%(text)s" tidak dikenali. Tulis HH-BB-TTTT, misalnya 15-03-2026.') % {
                "text": text
            }
    if day > today:
        return None, _("Tanggal pengisian tidak boleh di masa depan.")
    if day.year < 2000:
        return None, _("Tanggal pengisian tidak valid.")
    return day, ""


def _is_formula(value) -> bool:
    """A formula cell (openpyxl gives "=..." or an array/table formula object), or a text typed as "=..."."""
    if isinstance(value, ArrayFormula | DataTableFormula):
        return True
    return isinstance(value, str) and value.strip().startswith("=")


def _formula_text(value) -> str:
    text = value.text if isinstance(value, ArrayFormula) else value
    text = str(text).strip() if isinstance(text, str) else "="
    return text if len(text) <= 40 else text[:39] + "…"


def _raw_answer(value):
    """A cell value as parse_value expects it; booleans (TRUE/FALSE typed in Excel) as 1/0."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.date | datetime.time):
        return "tanggal"  # not a number: parse_value refuses it with its usual message
    return value


def parse_upload(collection: Collection, user, fileobj, filename: str = "") -> Preview:
    """Read an uploaded workbook and say what it would create and what is wrong. Writes nothing."""
    preview = Preview(collection=collection, filename=(filename or getattr(fileobj, "name", "") or "")[:200])
    try:
        workflow.ensure_can_enter(user, collection)
        workflow.ensure_can_add_questionnaire(collection)
    except ServiceError as exc:
        return preview.refuse(exc.message)

    data = _read_bytes(fileobj)
    wb = _open_workbook(data, preview)
    if wb is None:
        return preview
    try:
        return _parse_workbook(wb, collection, preview)
    except Exception:  # anything odd inside a readable zip: the file's fault, said plainly
        preview.problems = [p for p in preview.problems if not p.is_error]
        preview.rows = []
        return preview.refuse(
            _("Isi berkas tidak dapat dibaca sebagai template IKOTAN. Unduh template baru dan salin datanya.")
        )
    finally:
        wb.close()


@dataclass
class _Sheet:
    """What parsing the rows of one upload needs: its questions, the mapped columns, the day of upload."""

    preview: Preview
    header: tuple
    columns: dict[int, tuple[str, object]]  # index -> ("fixed", name) | ("question", Question)
    questions: list[Question]
    option_values: dict[int, list[float]]
    today: datetime.date
    headerless_reported: set[int] = field(default_factory=set)


def _parse_workbook(wb, collection: Collection, preview: Preview) -> Preview:
    sheets = set(wb.sheetnames)
    if SHEET_DATA not in sheets or SHEET_META not in sheets:
        return preview.refuse(
            _(
                'Berkas ini bukan template IKOTAN: lembar "kuesioner" atau lembar tersembunyi "meta" '
                "tidak ada. Unduh template dari halaman koleksi."
            )
        )
    group = _check_meta(_read_meta(wb), collection, preview)
    if group is None:
        return preview
    preview.group = group
    questions = list(selectors.group_questions(group))
    preview.question_count = len(questions)
    ws = wb[SHEET_DATA]
    header = next(ws.iter_rows(min_row=CODE_ROW, max_row=CODE_ROW, max_col=MAX_COLUMNS, values_only=True), ())
    columns = _map_columns(header, questions, collection, group, preview)
    _warn_absent_questions(questions, columns, preview)
    sheet = _Sheet(
        preview=preview,
        header=header,
        columns=columns,
        questions=questions,
        option_values={q.pk: [o.value for o in q.options.all()] for q in questions},
        today=timezone.localdate(),
    )
    if not _parse_rows(ws, sheet):
        return preview
    if not preview.rows and not preview.errors:
        preview.add(_('Tidak ada baris yang terisi. Isi lembar "kuesioner" mulai baris 3.'))
    _flag_duplicates(preview, collection, group)
    return preview


def _map_columns(header, questions, collection: Collection, group: RespondentGroup, preview: Preview) -> dict:
    """Each column of row 1 that names a fixed field or a question of the group, by index; the others are
    reported (a question of another group, an unknown code, a column named twice)."""
    by_code = {q.code.lower(): q for q in questions}
    other_codes = {
        c.lower(): c
        for c in Question.objects.filter(instrument_id=collection.period.instrument_id)
        .exclude(groups=group)
        .values_list("code", flat=True)
    }
    columns: dict[int, tuple[str, object]] = {}
    seen: dict[str, str] = {}
    for index, value in enumerate(header):
        text = _cell_text(value)
        if not text:
            continue
        letter = get_column_letter(index + 1)
        key = _header_key(value)
        fixed = FIXED_ALIASES.get(key)
        target = ("fixed", fixed) if fixed else ("question", by_code[key]) if key in by_code else None
        ident = fixed or key
        if target is None:
            message = _unknown_column_message(key, text, other_codes, group)
            preview.add(message, row=CODE_ROW, column=letter, header=text[:40])
        elif ident in seen:
            preview.add(
                _('Kolom "%(h)s" muncul dua kali (juga di kolom %(other)s).')
                % {"h": text[:40], "other": seen[ident]},
                row=CODE_ROW,
                column=letter,
                header=text[:40],
            )
        else:
            seen[ident] = letter
            columns[index] = target
    return columns


def _unknown_column_message(key: str, text: str, other_codes: dict[str, str], group: RespondentGroup) -> str:
    if key in other_codes:
        return _("Pertanyaan %(code)s tidak ditanyakan kepada kelompok %(group)s; hapus kolom ini.") % {
            "code": other_codes[key],
            "group": group.name,
        }
    message = _('Kolom tidak dikenal: "%(h)s". Kode pertanyaan di baris 1 tidak boleh diubah.')
    return message % {"h": text[:40]}


def _warn_absent_questions(questions: list[Question], columns: dict, preview: Preview) -> None:
    mapped_questions = {t[1].pk for t in columns.values() if t[0] == "question"}
    for q in questions:
        if q.pk not in mapped_questions:
            preview.add(
                _("Kolom pertanyaan %(code)s tidak ada di berkas; jawabannya dianggap kosong.")
                % {"code": q.code},
                level=WARNING,
                header=q.code,
            )


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_rows(ws, sheet: _Sheet) -> bool:
    """Every filled row into sheet.preview.rows; False (the file refused) when there are too many."""
    preview = sheet.preview
    filled = 0
    for row_number, values in enumerate(
        ws.iter_rows(min_row=FIRST_DATA_ROW, max_col=MAX_COLUMNS, values_only=True), start=FIRST_DATA_ROW
    ):
        if all(_blank(v) for v in values):
            continue
        filled += 1
        if filled > MAX_ROWS:
            preview.rows = []
            preview.problems = [p for p in preview.problems if p.row is None and not p.is_error]
            preview.refuse(
                _("Berkas berisi lebih dari %(n)s baris terisi. Bagi menjadi beberapa berkas.")
                % {"n": f"{MAX_ROWS:,}".replace(",", ".")}
            )
            return False
        preview.rows.append(_parse_row(row_number, values, sheet))
    return True


def _parse_row(row_number: int, values: tuple, sheet: _Sheet) -> PlannedRow:
    planned = PlannedRow(row=row_number)
    date_bad = False
    for index, value in enumerate(values):
        if not _blank(value):
            date_bad |= _parse_cell(planned, index, value, sheet)
    if planned.filled_on is None and not date_bad:
        planned.filled_on = sheet.today  # an empty date means the day of the upload
    planned.missing_required = [q.code for q in sheet.questions if q.required and q.pk not in planned.answers]
    if planned.missing_required and not planned.errors:
        shown = ", ".join(planned.missing_required[:5])
        more = len(planned.missing_required) - 5
        sheet.preview.add(
            _("%(n)d pertanyaan wajib belum dijawab (%(codes)s); baris ini diimpor sebagai draf.")
            % {"n": len(planned.missing_required), "codes": shown + (f", +{more}" if more > 0 else "")},
            row=row_number,
            level=WARNING,
        )
    return planned


def _parse_cell(planned: PlannedRow, index: int, value, sheet: _Sheet) -> bool:
    """One filled cell into `planned`, or its problem into the preview; True when it is a bad date."""
    preview, row_number, letter = sheet.preview, planned.row, get_column_letter(index + 1)
    if _is_formula(value):
        # Never stored, never emptied silently: the whole file is refused until it holds values.
        planned.errors += 1
        kind, target = sheet.columns.get(index, ("", ""))
        preview.add(
            _(
                'Sel berisi rumus atau teks yang diawali "=" (%(text)s). Rumus tidak diimpor; '
                "ketik nilainya saja."
            )
            % {"text": _formula_text(value)},
            row=row_number,
            column=letter,
            header=target.code if kind == "question" else target,
        )
        return False
    if index not in sheet.columns:
        _report_headerless(index, row_number, sheet)
        return False
    kind, target = sheet.columns[index]
    if kind == "fixed":
        return _parse_fixed(planned, target, value, letter, sheet)
    try:
        options = sheet.option_values[target.pk]
        planned.answers[target.pk] = parse_value(target.kind, options, _raw_answer(value))
    except ServiceError as exc:
        planned.errors += 1
        preview.add(exc.message, row=row_number, column=letter, header=target.code)
    return False


def _report_headerless(index: int, row_number: int, sheet: _Sheet) -> None:
    """Data in a column without a code in row 1: said once per column (an unknown code was said already)."""
    header = sheet.header
    if index in sheet.headerless_reported or (index < len(header) and _cell_text(header[index])):
        return
    sheet.headerless_reported.add(index)
    sheet.preview.add(
        _("Kolom ini berisi data tetapi tidak memiliki kode pertanyaan di baris 1."),
        row=row_number,
        column=get_column_letter(index + 1),
    )


def _parse_fixed(planned: PlannedRow, name: str, value, letter: str, sheet: _Sheet) -> bool:
    """The date, label or village of a row; True when the date is bad."""
    if name == DATE:
        day, msg = _parse_date(value, sheet.today)
        planned.filled_on = day
        if msg:
            planned.errors += 1
            sheet.preview.add(msg, row=planned.row, column=letter, header=DATE)
        return bool(msg)
    text = _cell_text(value)
    limit = FIXED_MAX_LENGTH[name]
    if len(text) > limit:
        planned.errors += 1
        sheet.preview.add(
            _("Teks terlalu panjang (%(n)d karakter, maksimal %(max)d).") % {"n": len(text), "max": limit},
            row=planned.row,
            column=letter,
            header=name,
        )
    elif name == LABEL:
        planned.label = text
    else:
        planned.village = text
    return False


def _signature(label: str, village: str, filled_on, answers: dict) -> tuple:
    return (label.casefold(), village.casefold(), filled_on, tuple(sorted(answers.items())))


def _flag_duplicates(preview: Preview, collection: Collection, group: RespondentGroup) -> None:
    """Warn about rows identical to another row or to a questionnaire already in the collection (the
    same file uploaded twice). A warning, not an error: two households may truly answer alike."""
    rows = [r for r in preview.rows if r.answers and not r.errors]
    if not rows:
        return
    existing_rows = list(
        Questionnaire.objects.filter(collection=collection, group=group, label__in={r.label for r in rows})
        .exclude(state=Questionnaire.State.EXCLUDED)
        .values_list("pk", "label", "village", "filled_on")
    )
    answers: dict[int, dict[int, float]] = {pk: {} for pk, *_rest in existing_rows}
    for qn_id, question_id, value in Answer.objects.filter(questionnaire__in=answers).values_list(
        "questionnaire_id", "question_id", "value"
    ):
        answers[qn_id][question_id] = value
    existing = {}
    for pk, label, village, filled_on in existing_rows:
        existing.setdefault(_signature(label, village, filled_on, answers[pk]), pk)
    seen: dict[tuple, int] = {}
    for r in rows:
        sig = _signature(r.label, r.village, r.filled_on, r.answers)
        if sig in existing:
            preview.add(
                _(
                    "Sama persis dengan kuesioner #%(pk)d yang sudah ada; mungkin berkas ini sudah pernah "
                    "diimpor. Hapus baris ini bila memang ganda."
                )
                % {"pk": existing[sig]},
                row=r.row,
                level=WARNING,
            )
        elif sig in seen:
            preview.add(
                _("Sama persis dengan baris %(other)d di berkas ini.") % {"other": seen[sig]},
                row=r.row,
                level=WARNING,
            )
        else:
            seen[sig] = r.row


# --- applying ------------------------------------------------------------------------------------


def apply_upload(preview: Preview, user) -> list[Questionnaire]:
    """Create every questionnaire of a clean preview in one transaction; nothing when anything fails.

    Permission and state are checked again under a lock on the collection (the deadline may have passed
    or the collection been submitted since the preview), and the group's questions must still be the
    ones the preview mapped. History rows are written for every questionnaire and answer.
    """
    if preview.errors or preview.group is None:
        raise ServiceError(
            _("Berkas masih bermasalah; tidak ada yang diimpor. Perbaiki lalu unggah lagi."),
            code="has_errors",
        )
    if not preview.rows:
        raise ServiceError(_("Tidak ada baris kuesioner untuk diimpor."), code="empty")
    group = preview.group
    with transaction.atomic():
        collection = (
            Collection.objects.select_for_update(of=("self",))
            .select_related("period", "regency")
            .get(pk=preview.collection.pk)
        )
        workflow.ensure_can_enter(user, collection)
        workflow.ensure_can_add_questionnaire(collection)
        if group.instrument_id != collection.period.instrument_id:
            raise ServiceError(
                _("Kelompok responden bukan bagian dari instrumen periode ini."), code="wrong_group"
            )
        current = set(Question.objects.filter(groups=group).values_list("pk", flat=True))
        used = {qid for r in preview.rows for qid in r.answers}
        if not used <= current:
            raise ServiceError(
                _("Instrumen berubah sejak pratinjau. Unggah berkas lagi untuk memeriksa ulang."),
                code="stale",
            )
        now = timezone.now()
        reason = _("Impor Excel")
        questionnaires = [
            Questionnaire(
                collection=collection,
                group=group,
                label=r.label,
                village=r.village,
                filled_on=r.filled_on or timezone.localdate(),
                method=Questionnaire.Method.EXCEL,
                state=Questionnaire.State.COMPLETE if r.complete else Questionnaire.State.DRAFT,
                completed_at=now if r.complete else None,
                entered_by=user,
                created_at=now,
            )
            for r in preview.rows
        ]
        questionnaires = bulk_create_with_history(
            questionnaires, Questionnaire, batch_size=500, default_user=user, default_change_reason=reason
        )
        answers = [
            Answer(questionnaire=qn, question_id=qid, value=value, updated_by=user)
            for qn, r in zip(questionnaires, preview.rows, strict=True)
            for qid, value in r.answers.items()
        ]
        if answers:
            bulk_create_with_history(
                answers, Answer, batch_size=1000, default_user=user, default_change_reason=reason
            )
        # One recompute for the whole import, not one per row.
        signals.request_score_after_commit(collection.pk)
    return questionnaires


# --- the upload waiting between preview and apply ------------------------------------------------

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
PENDING_MAX_AGE = 24 * 60 * 60


def pending_dir() -> Path:
    """Private directory of uploads awaiting apply (under MEDIA_ROOT, which is never served directly)."""
    path = Path(getattr(settings, "EXCEL_PENDING_DIR", "") or Path(settings.MEDIA_ROOT) / "excel-pending")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pending_path(token: str, user_id: int, collection_id: int, suffix: str = ".xlsx") -> Path | None:
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    return pending_dir() / f"{int(user_id)}-{int(collection_id)}-{token}{suffix}"


def pending_save(data: bytes, *, user_id: int, collection_id: int) -> str:
    """Keep the bytes for this user and collection; return the random token naming them."""
    pending_sweep()
    token = secrets.token_urlsafe(24)
    path = _pending_path(token, user_id, collection_id)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return token


def pending_load(token: str, *, user_id: int, collection_id: int) -> bytes | None:
    path = _pending_path(token, user_id, collection_id)
    try:
        return path.read_bytes() if path else None
    except OSError:
        return None


def pending_claim(token: str, *, user_id: int, collection_id: int) -> bytes | None:
    """Take the upload for applying; only one caller ever gets it (atomic rename). None: already taken."""
    path = _pending_path(token, user_id, collection_id)
    if path is None:
        return None
    claimed = path.with_suffix(".applying")
    try:
        os.rename(path, claimed)
    except OSError:
        return None
    try:
        return claimed.read_bytes()
    except OSError:
        return None


def pending_release(token: str, *, user_id: int, collection_id: int) -> None:
    """Give a claimed upload back (apply refused): the preview stays usable."""
    path = _pending_path(token, user_id, collection_id)
    if path is None:
        return
    with contextlib.suppress(OSError):
        os.rename(path.with_suffix(".applying"), path)


def pending_discard(token: str, *, user_id: int, collection_id: int) -> None:
    path = _pending_path(token, user_id, collection_id)
    if path is None:
        return
    for suffix in (".xlsx", ".applying"):
        with contextlib.suppress(OSError):
            path.with_suffix(suffix).unlink()


def pending_sweep(max_age: int = PENDING_MAX_AGE) -> int:
    """Remove uploads nobody applied or cancelled within max_age seconds; return how many."""
    cutoff = time.time() - max_age
    removed = 0
    for path in pending_dir().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed
