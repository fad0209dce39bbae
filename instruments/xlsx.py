"""XLSX export and import of a whole instrument; an import always creates a NEW version.

One workbook, one sheet per level: "instrumen" (key/value metadata incl. the band scheme code),
"kelompok", "variabel", "indikator", "pertanyaan" (groups as comma-separated codes), "opsi", "bukti"
(supported questions as comma-separated codes), plus a "petunjuk" sheet for people (ignored on import).
Columns are found by their header in row 1, so their order may change. Texts that would read as a
formula (=, +, -, @ ...) are exported with a leading quote (kotan.lib.spreadsheet.safe_cell) and the quote
is taken off again on import, so an exported instrument re-imports unchanged.

Import validates everything first and reports every problem with sheet, row and column
("pertanyaan baris 12 kolom E: jenis 'likret' tidak dikenal"); only a file without problems is built,
in one transaction (instruments.services.instrument_create), so nothing is ever half-imported.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import openpyxl
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kotan.lib import zipcheck
from kotan.lib.service_errors import ServiceError
from kotan.lib.spreadsheet import restore_cell, safe_row

from .models import BandScheme, EvidenceType, Indicator, Instrument, Option, RespondentGroup, Variable
from .services import (
    CODE_MAX,
    CODE_RE,
    KINDS,
    NAME_MAX,
    VERSION_MAX,
    instrument_create,
    instrument_to_data,
    options_problems,
)

MAX_BYTES = 5 * 1024 * 1024  # a zip bomb (members, inflated size, ratio) is refused by kotan.lib.zipcheck
MAX_ROWS = 5000  # per sheet; the default instrument has ~260 option rows
MAX_TEXT = 2000  # question text and help: a sane bound for a TextField
MAX_WEIGHT = Decimal("9999.9999")  # DecimalField(max_digits=8, decimal_places=4)
MAX_ORDER = 32767  # PositiveSmallIntegerField

META = "instrumen"
GROUPS = "kelompok"
VARIABLES = "variabel"
INDICATORS = "indikator"
QUESTIONS = "pertanyaan"
OPTIONS = "opsi"
EVIDENCE = "bukti"

COLUMNS = {
    META: ["kunci", "nilai"],
    GROUPS: ["kode", "nama", "unit", "kuota_minimum", "urutan"],
    VARIABLES: ["kode", "nama", "bobot", "urutan"],
    INDICATORS: ["variabel", "kode", "nama", "bobot", "urutan"],
    QUESTIONS: [
        "kode",
        "indikator",
        "pertanyaan",
        "petunjuk",
        "jenis",
        "bobot",
        "wajib",
        "kelompok",
        "urutan",
    ],
    OPTIONS: ["pertanyaan", "nilai", "label", "skor", "urutan"],
    EVIDENCE: ["kode", "nama", "wajib", "pertanyaan", "urutan"],
}
SHEETS = list(COLUMNS)
OPTIONAL_COLUMNS = {"urutan", "petunjuk"}  # may be missing from the header; defaults apply
META_KEYS = ["versi", "nama", "keterangan", "skema_kategori"]
UNITS = {c.value for c in RespondentGroup.Unit}
YES = {"ya", "y", "yes", "1", "true", "benar"}
NO = {"tidak", "t", "no", "n", "0", "false", "salah"}

HELP_ROWS = [
    ("instrumen", "Baris kunci/nilai: versi, nama, keterangan, skema_kategori (kode skema kategori)."),
    ("kelompok", "Kelompok responden: kode, nama, unit (family atau non_family), kuota_minimum, urutan."),
    ("variabel", "Variabel: kode, nama, bobot (> 0), urutan."),
    ("indikator", "Indikator: kode variabel, kode indikator (unik dalam instrumen), nama, bobot, urutan."),
    (
        "pertanyaan",
        "Pertanyaan: kode (mis. KK1.1), kode indikator, teks, petunjuk, jenis (likert, yesno, choice, "
        "number), bobot, wajib (ya/tidak), kelompok (kode dipisah koma), urutan.",
    ),
    (
        "opsi",
        "Opsi: kode pertanyaan, nilai, label, skor, urutan. likert: nilai 1–5; yesno: 1 (ya) dan 0 (tidak); "
        "choice: nilai tiap pilihan; number: nilai = ambang bawah (terendah 0).",
    ),
    ("bukti", "Jenis bukti dukung: kode, nama, wajib (ya/tidak), pertanyaan (kode dipisah koma), urutan."),
]


# --- Export ---------------------------------------------------------------------------------------------


def instrument_export(instrument: Instrument) -> bytes:
    """The instrument as one XLSX workbook (bytes)."""

    data = instrument_to_data(instrument)
    wb = Workbook()
    wb.remove(wb.active)
    rows: dict[str, list[list]] = {
        META: [
            ["versi", data["version"]],
            ["nama", data["name"]],
            ["keterangan", data["description"]],
            ["skema_kategori", data["band_scheme"]],
        ],
        GROUPS: [[g["code"], g["name"], g["unit"], g["min_quota"], g["order"]] for g in data["groups"]],
        VARIABLES: [[v["code"], v["name"], v["weight"], v["order"]] for v in data["variables"]],
        INDICATORS: [],
        QUESTIONS: [],
        OPTIONS: [],
        EVIDENCE: [
            [e["code"], e["name"], _yes_no(e["required"]), ", ".join(e["questions"]), e["order"]]
            for e in data["evidence_types"]
        ],
    }
    for v in data["variables"]:
        for i in v["indicators"]:
            rows[INDICATORS].append([v["code"], i["code"], i["name"], i["weight"], i["order"]])
            for q in i["questions"]:
                rows[QUESTIONS].append(
                    [
                        q["code"],
                        i["code"],
                        q["text"],
                        q["help_text"],
                        q["kind"],
                        q["weight"],
                        _yes_no(q["required"]),
                        ", ".join(q["groups"]),
                        q["order"],
                    ]
                )
                rows[OPTIONS].extend(
                    [q["code"], o["value"], o["label"], o["score"], o["order"]] for o in q["options"]
                )
    bold = Font(bold=True)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet)
        ws.append(COLUMNS[sheet])
        for cell in ws[1]:
            cell.font = bold
        for row in rows[sheet]:
            ws.append(safe_row(row))  # texts are written by people: no formula (undone on import)
        for idx, header in enumerate(COLUMNS[sheet], start=1):
            wide = header in ("nama", "pertanyaan", "petunjuk", "label", "nilai", "keterangan", "kelompok")
            ws.column_dimensions[get_column_letter(idx)].width = 50 if wide else 14
        ws.freeze_panes = "A2"
    help_ws = wb.create_sheet("petunjuk")
    help_ws.append(["lembar", "isi"])
    for row in HELP_ROWS:
        help_ws.append(list(row))
    help_ws.column_dimensions["B"].width = 110
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_filename(instrument: Instrument) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in instrument.version)
    return f"instrumen-{safe}.xlsx"


def _yes_no(value: bool) -> str:
    return "ya" if value else "tidak"


# --- Import ---------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    instrument: Instrument | None = None
    problems: list[str] = field(default_factory=list)


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def file(self, message: str) -> None:
        self.items.append(message)

    def sheet(self, sheet: str, message: str) -> None:
        self.items.append(f"{sheet}: {message}")

    def cell(self, sheet: str, row: int, col: int | None, message: str) -> None:
        if col is None:
            self.items.append(
                _("%(sheet)s baris %(row)d: %(msg)s") % {"sheet": sheet, "row": row, "msg": message}
            )
        else:
            self.items.append(
                _("%(sheet)s baris %(row)d kolom %(col)s: %(msg)s")
                % {"sheet": sheet, "row": row, "col": get_column_letter(col), "msg": message}
            )


@dataclass
class _Row:
    sheet: str
    number: int  # the row number in the sheet (1-based, header is 1)
    cells: dict[str, object]
    columns: dict[str, int]  # header -> 1-based column index

    def col(self, name: str) -> int | None:
        return self.columns.get(name)


def _open(data: bytes, problems: _Problems):

    not_xlsx = _("Berkas ini bukan XLSX. Unggah berkas instrumen (.xlsx) hasil ekspor KOTAN.")
    if not data:
        problems.file(_("Berkas kosong. Pilih berkas XLSX instrumen."))
        return None
    if len(data) > MAX_BYTES:
        problems.file(_("Berkas terlalu besar (maksimal %(mb)d MB).") % {"mb": MAX_BYTES // (1024 * 1024)})
        return None
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        problems.file(
            _("Berkas ini format Excel lama (.xls) atau terenkripsi. Simpan sebagai .xlsx lalu unggah lagi.")
        )
        return None
    if not data.startswith(b"PK\x03\x04"):
        problems.file(not_xlsx)
        return None
    corrupt = _("Berkas XLSX rusak dan tidak dapat dibaca. Simpan ulang di Excel lalu unggah lagi.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except Exception:  # BadZipFile, NotImplementedError, EOFError, ... on damaged headers
        problems.file(corrupt)
        return None
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        problems.file(not_xlsx)
        return None
    problem = zipcheck.directory_problem(infos)
    if problem:
        problems.file(problem)
        return None
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a damaged part inside a valid zip is the user's file, never our 500
        problems.file(corrupt)
        return None


def _read_sheet(wb, sheet: str, problems: _Problems) -> list[_Row] | None:
    ws = wb[sheet]
    try:
        rows_iter = ws.iter_rows(values_only=True)
        columns = _header_columns(next(rows_iter, None) or ())
        missing = [c for c in COLUMNS[sheet] if c not in columns and c not in OPTIONAL_COLUMNS]
        for name in missing:
            problems.cell(sheet, 1, None, _("kolom '%(col)s' tidak ada di baris judul") % {"col": name})
        if missing:
            return None
        return _data_rows(sheet, rows_iter, columns, problems)
    except Exception:  # a damaged sheet part: the user's file, never our 500
        problems.sheet(sheet, _("lembar rusak dan tidak dapat dibaca"))
        return None


def _header_columns(header) -> dict[str, int]:
    """Header name (lower case) -> 1-based column index; the first of two equal names counts."""
    columns: dict[str, int] = {}
    for idx, value in enumerate(header, start=1):
        name = str(value).strip().lower() if value is not None else ""
        if name and name not in columns:
            columns[name] = idx
    return columns


def _data_rows(sheet: str, rows_iter, columns: dict[str, int], problems: _Problems) -> list[_Row] | None:
    out = []
    for number, values in enumerate(rows_iter, start=2):
        if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if len(out) >= MAX_ROWS:
            problems.sheet(sheet, _("terlalu banyak baris (maksimal %(n)d)") % {"n": MAX_ROWS})
            return None
        # restore_cell: a text our export quoted ("'=x", kotan.lib.spreadsheet) comes back as written.
        cells = {
            name: (restore_cell(values[idx - 1]) if idx - 1 < len(values) else None)
            for name, idx in columns.items()
        }
        out.append(_Row(sheet, number, cells, columns))
    return out


# Cell readers: each returns the value, or None after reporting a problem at the row and column.


def _text(row: _Row, name: str, problems: _Problems, *, required=True, max_len=NAME_MAX) -> str | None:
    raw = row.cells.get(name)
    if raw is None:
        text = ""
    elif isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    else:
        text = str(raw).strip()
    if required and not text:
        problems.cell(row.sheet, row.number, row.col(name), _("%(col)s wajib diisi") % {"col": name})
        return None
    if len(text) > max_len:
        problems.cell(
            row.sheet,
            row.number,
            row.col(name),
            _("%(col)s terlalu panjang (maksimal %(n)d karakter)") % {"col": name, "n": max_len},
        )
        return None
    return text


def _code(row: _Row, name: str, problems: _Problems) -> str | None:
    text = _text(row, name, problems, max_len=CODE_MAX)
    if text is None:
        return None
    if not CODE_RE.match(text):
        problems.cell(
            row.sheet,
            row.number,
            row.col(name),
            _("kode '%(code)s' hanya boleh berisi huruf, angka, titik, garis bawah, dan tanda hubung")
            % {"code": text},
        )
        return None
    return text


def _number(row: _Row, name: str, problems: _Problems) -> float | None:
    raw = row.cells.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        problems.cell(row.sheet, row.number, row.col(name), _("%(col)s wajib diisi") % {"col": name})
        return None
    if isinstance(raw, bool):
        raw = int(raw)
    try:
        value = float(raw) if isinstance(raw, int | float) else float(str(raw).strip().replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > 1e12:
        problems.cell(
            row.sheet, row.number, row.col(name), _("'%(raw)s' bukan angka") % {"raw": str(raw)[:40]}
        )
        return None
    return value


def _weight(row: _Row, name: str, problems: _Problems) -> Decimal | None:
    value = _number(row, name, problems)
    if value is None:
        return None
    try:
        weight = Decimal(str(value)).quantize(Decimal("0.0001"))
    except InvalidOperation:
        weight = Decimal(-1)
    if weight <= 0 or weight > MAX_WEIGHT:
        problems.cell(
            row.sheet, row.number, row.col(name), _("bobot harus lebih dari 0 dan paling besar 9999,9999")
        )
        return None
    return weight


def _integer(
    row: _Row, name: str, problems: _Problems, *, default: int | None = None, maximum: int
) -> int | None:
    if (name not in row.columns or row.cells.get(name) in (None, "")) and default is not None:
        return default
    value = _number(row, name, problems)
    if value is None:
        return None
    if not value.is_integer() or value < 0 or value > maximum:
        problems.cell(
            row.sheet,
            row.number,
            row.col(name),
            _("%(col)s harus bilangan bulat 0 sampai %(max)d") % {"col": name, "max": maximum},
        )
        return None
    return int(value)


def _bool(row: _Row, name: str, problems: _Problems) -> bool | None:
    raw = row.cells.get(name)
    text = (
        str(int(raw) if isinstance(raw, float) and raw.is_integer() else raw).strip().lower()
        if raw is not None
        else ""
    )
    if text in YES:
        return True
    if text in NO:
        return False
    problems.cell(row.sheet, row.number, row.col(name), _("%(col)s harus 'ya' atau 'tidak'") % {"col": name})
    return None


def _codes(row: _Row, name: str, problems: _Problems) -> list[str]:
    raw = row.cells.get(name)
    text = "" if raw is None else str(raw)
    return [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]


def _max_len(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _unique(seen: dict, key, row: _Row, col: str, problems: _Problems, what: str) -> bool:
    if key in seen:
        problems.cell(
            row.sheet,
            row.number,
            row.col(col),
            _("%(what)s '%(code)s' sudah dipakai di baris %(row)d")
            % {"what": what, "code": key, "row": seen[key]},
        )
        return False
    seen[key] = row.number
    return True


def instrument_parse(
    data: bytes, *, version: str | None = None, name: str | None = None
) -> tuple[dict | None, list[str]]:
    """Validate a workbook fully; (plain instrument data, []) when valid, else (None, every problem)."""
    problems = _Problems()
    wb = _open(data, problems)
    if wb is None:
        return None, problems.items
    try:
        missing = [s for s in SHEETS if s not in wb.sheetnames]
        for sheet in missing:
            problems.file(_("Lembar '%(sheet)s' tidak ada di berkas.") % {"sheet": sheet})
        if missing:
            return None, problems.items
        sheets = {s: _read_sheet(wb, s, problems) for s in SHEETS}
    finally:
        wb.close()
    if any(rows is None for rows in sheets.values()):
        return None, problems.items
    result = _validate(sheets, problems, version=version, name=name)
    if problems.items:
        return None, problems.items
    return result, []


@dataclass
class _Draft:
    """The instrument data read so far, sheet by sheet, with the rows each code came from (for problems
    found later) and every code seen (also those whose row had problems, so they are not reported twice)."""

    problems: _Problems
    meta: dict[str, str] = field(default_factory=dict)
    meta_rows: dict[str, _Row] = field(default_factory=dict)
    groups: list[dict] = field(default_factory=list)
    group_seen: dict = field(default_factory=dict)
    variables: dict[str, dict] = field(default_factory=dict)
    variable_rows: dict[str, _Row] = field(default_factory=dict)
    variable_seen: dict = field(default_factory=dict)
    indicators: dict[str, dict] = field(default_factory=dict)
    indicator_rows: dict[str, _Row] = field(default_factory=dict)
    indicator_seen: dict = field(default_factory=dict)
    questions: dict[str, dict] = field(default_factory=dict)
    question_rows: dict[str, _Row] = field(default_factory=dict)
    question_seen: dict = field(default_factory=dict)
    evidence: list[dict] = field(default_factory=list)
    evidence_seen: dict = field(default_factory=dict)

    def at(self, row: _Row, column: str, message: str) -> None:
        """A problem at a row's cell in the named column."""
        self.problems.cell(row.sheet, row.number, row.col(column), message)


def _validate(sheets: dict[str, list[_Row]], problems: _Problems, *, version, name) -> dict:
    d = _Draft(problems)
    _read_meta(sheets[META], d)
    version = (version or "").strip() or d.meta.get("versi")
    name = (name or "").strip() or d.meta.get("nama")
    _check_version_and_scheme(d, version)
    _read_groups(sheets[GROUPS], d)
    _read_variables(sheets[VARIABLES], d)
    for row in sheets[INDICATORS]:
        _read_indicator(row, d)
    for row in sheets[QUESTIONS]:
        _read_question(row, d)
    _read_options(sheets[OPTIONS], d)
    _check_question_options(d)
    _check_empty_parents(d)
    for row in sheets[EVIDENCE]:
        _read_evidence(row, d)
    return {
        "version": version,
        "name": name,
        "description": d.meta.get("keterangan", ""),
        "band_scheme": d.meta.get("skema_kategori"),
        "groups": d.groups,
        "variables": list(d.variables.values()),
        "evidence_types": d.evidence,
    }


def _read_meta(rows: list[_Row], d: _Draft) -> None:
    """instrumen: key/value rows."""
    for row in rows:
        key = _text(row, "kunci", d.problems, required=True, max_len=40)
        if key is None:
            continue
        key = key.lower()
        if key not in META_KEYS:
            d.at(row, "kunci", _("kunci '%(k)s' tidak dikenal") % {"k": key})
            continue
        max_len = {"versi": VERSION_MAX, "nama": NAME_MAX, "skema_kategori": 40}.get(key, MAX_TEXT)
        value = _text(row, "nilai", d.problems, required=key != "keterangan", max_len=max_len)
        if value is not None:
            d.meta[key] = value
            d.meta_rows[key] = row
    for key in ("versi", "nama", "skema_kategori"):
        if key not in d.meta_rows:
            d.problems.sheet(META, _("baris '%(k)s' tidak ada atau kosong") % {"k": key})


def _check_version_and_scheme(d: _Draft, version: str | None) -> None:
    if version and Instrument.objects.filter(version=version).exists():
        if "versi" in d.meta_rows and version == d.meta.get("versi"):
            d.at(
                d.meta_rows["versi"],
                "nilai",
                _("versi '%(v)s' sudah ada; impor selalu membuat versi baru, ganti versinya")
                % {"v": version},
            )
        else:
            d.problems.file(_("Versi '%(v)s' sudah ada; pilih versi lain.") % {"v": version})
    scheme = d.meta.get("skema_kategori")
    if scheme and not BandScheme.objects.filter(code=scheme).exists():
        d.at(
            d.meta_rows["skema_kategori"], "nilai", _("skema kategori '%(c)s' tidak dikenal") % {"c": scheme}
        )


def _read_groups(rows: list[_Row], d: _Draft) -> None:
    """kelompok."""
    problems = d.problems
    for row in rows:
        code = _code(row, "kode", problems)
        g_name = _text(row, "nama", problems, max_len=_max_len(RespondentGroup, "name"))
        unit = _text(row, "unit", problems, max_len=20)
        if unit is not None and unit not in UNITS:
            d.at(row, "unit", _("unit '%(u)s' tidak dikenal (family atau non_family)") % {"u": unit})
            unit = None
        quota = _integer(row, "kuota_minimum", problems, maximum=100000)
        order = _integer(row, "urutan", problems, default=len(d.groups) + 1, maximum=MAX_ORDER)
        if code is not None and _unique(d.group_seen, code, row, "kode", problems, _("kode kelompok")):
            d.groups.append({"code": code, "name": g_name, "unit": unit, "min_quota": quota, "order": order})
    if not rows:
        problems.sheet(GROUPS, _("belum ada kelompok responden"))


def _read_variables(rows: list[_Row], d: _Draft) -> None:
    """variabel."""
    problems = d.problems
    for row in rows:
        code = _code(row, "kode", problems)
        v_name = _text(row, "nama", problems, max_len=_max_len(Variable, "name"))
        weight = _weight(row, "bobot", problems)
        order = _integer(row, "urutan", problems, default=len(d.variables) + 1, maximum=MAX_ORDER)
        if code is not None and _unique(d.variable_seen, code, row, "kode", problems, _("kode variabel")):
            d.variables[code] = {
                "code": code,
                "name": v_name,
                "weight": weight,
                "order": order,
                "indicators": [],
            }
            d.variable_rows[code] = row
    if not rows:
        problems.sheet(VARIABLES, _("belum ada variabel"))


def _read_indicator(row: _Row, d: _Draft) -> None:
    """indikator (codes unique within the instrument, so questions can name their indicator alone)."""
    problems = d.problems
    var_code = _text(row, "variabel", problems, max_len=CODE_MAX)
    code = _code(row, "kode", problems)
    i_name = _text(row, "nama", problems, max_len=_max_len(Indicator, "name"))
    weight = _weight(row, "bobot", problems)
    order = _integer(row, "urutan", problems, default=len(d.indicators) + 1, maximum=MAX_ORDER)
    # Register the code first: questions of an indicator with other problems are not reported again.
    fresh = code is not None and _unique(d.indicator_seen, code, row, "kode", problems, _("kode indikator"))
    if var_code is not None and var_code not in d.variables:
        if var_code not in d.variable_seen:
            d.at(row, "variabel", _("variabel '%(c)s' tidak ada di lembar variabel") % {"c": var_code})
        return
    if fresh and var_code is not None:
        indicator = {"code": code, "name": i_name, "weight": weight, "order": order, "questions": []}
        d.indicators[code] = indicator
        d.indicator_rows[code] = row
        d.variables[var_code]["indicators"].append(indicator)


def _question_kind(row: _Row, d: _Draft) -> str | None:
    kind = _text(row, "jenis", d.problems, max_len=20)
    if kind is not None and kind not in KINDS:
        d.at(row, "jenis", _("jenis '%(k)s' tidak dikenal (likert, yesno, choice, number)") % {"k": kind})
        return None
    return kind


def _question_groups(row: _Row, d: _Draft) -> list[str]:
    """The group codes of a question row, each problem with them reported."""
    q_groups = _codes(row, "kelompok", d.problems)
    if not q_groups:
        d.at(row, "kelompok", _("isi paling sedikit satu kode kelompok responden"))
    for g in q_groups:
        if g not in d.group_seen:
            d.at(row, "kelompok", _("kelompok '%(g)s' tidak ada di lembar kelompok") % {"g": g})
    if len(set(q_groups)) != len(q_groups):
        d.at(row, "kelompok", _("ada kode kelompok yang ditulis dua kali"))
    return q_groups


def _read_question(row: _Row, d: _Draft) -> None:
    """pertanyaan."""
    problems = d.problems
    code = _code(row, "kode", problems)
    ind_code = _text(row, "indikator", problems, max_len=CODE_MAX)
    question = {
        "code": code,
        "text": _text(row, "pertanyaan", problems, max_len=MAX_TEXT),
        "help_text": _text(row, "petunjuk", problems, required=False, max_len=MAX_TEXT) or "",
        "kind": _question_kind(row, d),
        "weight": _weight(row, "bobot", problems),
        "required": _bool(row, "wajib", problems),
    }
    q_groups = _question_groups(row, d)
    question["order"] = _integer(row, "urutan", problems, default=len(d.questions) + 1, maximum=MAX_ORDER)
    fresh = code is not None and _unique(d.question_seen, code, row, "kode", problems, _("kode pertanyaan"))
    if ind_code is not None and ind_code not in d.indicators:
        if ind_code not in d.indicator_seen:
            d.at(row, "indikator", _("indikator '%(c)s' tidak ada di lembar indikator") % {"c": ind_code})
        return
    if fresh and ind_code is not None:
        question.update(groups=list(dict.fromkeys(q_groups)), options=[])
        d.questions[code] = question
        d.question_rows[code] = row
        d.indicators[ind_code]["questions"].append(question)


def _read_options(rows: list[_Row], d: _Draft) -> None:
    """opsi; option rows of an unknown question are reported once per question, after the sheet."""
    option_values: dict[str, dict[float, int]] = {}  # question code -> option value -> row number
    unknown: dict[str, list[_Row]] = {}  # unknown question code -> its option rows
    for row in rows:
        _read_option(row, d, option_values, unknown)
    for q_code, q_rows in unknown.items():
        message = _("pertanyaan '%(c)s' tidak ada di lembar pertanyaan") % {"c": q_code}
        if len(q_rows) > 1:
            message += " " + _("(%(n)d baris opsi)") % {"n": len(q_rows)}
        d.at(q_rows[0], "pertanyaan", message)


def _read_option(row: _Row, d: _Draft, option_values: dict, unknown: dict) -> None:
    problems = d.problems
    q_code = _text(row, "pertanyaan", problems, max_len=CODE_MAX)
    value = _number(row, "nilai", problems)
    label = _text(row, "label", problems, max_len=_max_len(Option, "label"))
    score = _number(row, "skor", problems)
    order = _integer(
        row, "urutan", problems, default=len(option_values.get(q_code, {})) + 1, maximum=MAX_ORDER
    )
    if score is not None and score < 0:
        d.at(row, "skor", _("skor tidak boleh negatif"))
    if q_code is not None and q_code not in d.questions:
        if q_code not in d.question_seen:  # else its question row has problems of its own
            unknown.setdefault(q_code, []).append(row)
        return
    if q_code is None:
        return
    seen_values = option_values.setdefault(q_code, {})
    if value is not None and value in seen_values:
        d.at(
            row,
            "nilai",
            _("nilai %(v)s untuk pertanyaan '%(c)s' sudah ada di baris %(row)d")
            % {"v": f"{value:g}", "c": q_code, "row": seen_values[value]},
        )
        return
    if value is not None:
        seen_values[value] = row.number
    d.questions[q_code]["options"].append({"value": value, "label": label, "score": score, "order": order})


def _check_question_options(d: _Draft) -> None:
    """Per-question rules that need the options."""
    for code, question in d.questions.items():
        row = d.question_rows[code]
        if question["kind"] is None:
            continue
        if not question["options"]:
            d.at(row, "kode", _("pertanyaan '%(c)s' belum punya opsi di lembar opsi") % {"c": code})
            continue
        if any(o["value"] is None or o["score"] is None for o in question["options"]):
            continue
        for message in options_problems(question["kind"], question["options"]):
            d.at(row, "jenis", _("opsi %(c)s: %(m)s") % {"c": code, "m": message})


def _check_empty_parents(d: _Draft) -> None:
    for code, variable in d.variables.items():
        if not variable["indicators"]:
            d.at(d.variable_rows[code], "kode", _("variabel '%(c)s' belum punya indikator") % {"c": code})
    for code, indicator in d.indicators.items():
        if not indicator["questions"]:
            d.at(d.indicator_rows[code], "kode", _("indikator '%(c)s' belum punya pertanyaan") % {"c": code})


def _read_evidence(row: _Row, d: _Draft) -> None:
    """bukti."""
    problems = d.problems
    code = _code(row, "kode", problems)
    e_name = _text(row, "nama", problems, max_len=_max_len(EvidenceType, "name"))
    required = _bool(row, "wajib", problems)
    supported = _codes(row, "pertanyaan", problems)
    for q in supported:
        if q not in d.question_seen:
            d.at(row, "pertanyaan", _("pertanyaan '%(c)s' tidak ada di lembar pertanyaan") % {"c": q})
    order = _integer(row, "urutan", problems, default=len(d.evidence) + 1, maximum=MAX_ORDER)
    if code is not None and _unique(d.evidence_seen, code, row, "kode", problems, _("kode bukti")):
        d.evidence.append(
            {
                "code": code,
                "name": e_name,
                "required": required,
                "order": order,
                "questions": list(dict.fromkeys(supported)),
            }
        )


def instrument_import(data: bytes, *, version: str | None = None, name: str | None = None) -> ImportResult:
    """Create a new instrument version from a workbook, or nothing at all with every problem listed.

    `version`/`name` override the workbook's (e.g. to import a file exported from this same site).
    """
    parsed, problems = instrument_parse(data, version=version, name=name)
    if parsed is None:
        return ImportResult(problems=problems)
    try:
        return ImportResult(instrument=instrument_create(data=parsed))
    except ServiceError as exc:  # e.g. the version was taken in between: still nothing created
        return ImportResult(problems=[exc.message])
