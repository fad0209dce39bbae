"""Bulk onboarding: read a users sheet (XLSX or CSV), check every row, create all users or none, invite.

Reading and checking never write; create_users() re-checks and writes in one transaction, and refuses
the whole sheet when any row has a problem, so a half-imported sheet cannot happen.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from kotan.lib import zipcheck
from regions.models import Province, Regency

from .models import Role, User

logger = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
COLUMNS = ("nama", "email", "peran", "kode_wilayah")

# Header spellings people actually type, compared with everything but letters removed.
_HEADER_ALIASES = {
    "nama": "nama",
    "name": "nama",
    "namalengkap": "nama",
    "email": "email",
    "surel": "email",
    "alamatemail": "email",
    "peran": "peran",
    "role": "peran",
    "kodewilayah": "kode_wilayah",
    "kode": "kode_wilayah",
    "wilayah": "kode_wilayah",
    "kodewil": "kode_wilayah",
}
_ROLE_ALIASES = {
    "bnnk": Role.BNNK,
    "bnnkab": Role.BNNK,
    "bnnkota": Role.BNNK,
    "bnnkabkota": Role.BNNK,
    "bnnkabupatenkota": Role.BNNK,
    "bnnp": Role.BNNP,
    "bnnprov": Role.BNNP,
    "bnnprovinsi": Role.BNNP,
    "pusat": Role.PUSAT,
    "bnnpusat": Role.PUSAT,
    "bnnri": Role.PUSAT,
}


class SheetError(Exception):
    """The file itself cannot be used (not a sheet, wrong encoding, missing columns); .message is shown."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class SheetRow:
    line: int  # the row number as the spreadsheet shows it
    name: str
    email: str
    role: str
    code: str

    def as_list(self) -> list:
        return [self.line, self.name, self.email, self.role, self.code]

    @classmethod
    def from_list(cls, values: list) -> SheetRow:
        line, name, email, role, code = values
        return cls(int(line), str(name), str(email), str(role), str(code))


@dataclass
class CheckedRow:
    row: SheetRow
    role: str | None = None
    regency: Regency | None = None
    province: Province | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def scope_label(self) -> str:
        if self.regency:
            return f"{self.regency.name} ({self.regency.province.name})"
        if self.province:
            return self.province.name
        return str(_("Nasional")) if self.role == Role.PUSAT else ""


class ImportRefused(Exception):
    """create_users() found problems: nothing was created."""

    def __init__(self, checked: list[CheckedRow], message: str = ""):
        super().__init__(message or "rows with problems")
        self.checked = checked
        self.message = message


# --- reading -----------------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 3573.0 from a numeric Excel cell is the code 3573
    return str(value).strip()


def _header_key(value) -> str | None:
    return _HEADER_ALIASES.get(re.sub(r"[^a-z]", "", _cell_text(value).lower()))


def _rows_from_table(table) -> list[SheetRow]:
    """table: an iterator of row tuples, header first (blank leading rows skipped)."""
    header = None
    rows: list[SheetRow] = []
    for number, values in enumerate(table, start=1):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        if header is None:
            header = {}
            for index, value in enumerate(values):
                key = _header_key(value)
                if key and key not in header:
                    header[key] = index
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise SheetError(
                    _(
                        "Kolom wajib tidak ditemukan: %(missing)s. Baris pertama harus berisi judul kolom "
                        "nama, email, peran, kode_wilayah (unduh contoh lembar)."
                    )
                    % {"missing": ", ".join(missing)}
                )
            continue
        if len(rows) >= MAX_ROWS:
            raise SheetError(
                _("Terlalu banyak baris; paling banyak %(n)s pengguna sekali impor.") % {"n": MAX_ROWS}
            )

        picked = [cells[header[c]][:300] if header[c] < len(cells) else "" for c in COLUMNS]
        rows.append(SheetRow(number, *picked))
    if header is None:
        raise SheetError(_("Lembar kosong: tidak ada judul kolom maupun baris pengguna."))
    if not rows:
        raise SheetError(_("Lembar hanya berisi judul kolom; belum ada baris pengguna."))
    return rows


def _read_xlsx(data: bytes) -> list[SheetRow]:

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            bomb = zipcheck.directory_problem(archive.infolist())  # the rule every Office upload obeys
    except Exception:
        bomb = None  # not a readable zip: openpyxl below refuses it in the usual words
    if bomb:
        raise SheetError(bomb)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # not a zip, not a workbook, encrypted...: all the user's file
        logger.info("unreadable xlsx: %s", exc)
        raise SheetError(
            _("Berkas tidak dapat dibaca sebagai XLSX. Simpan ulang dari Excel sebagai .xlsx atau CSV UTF-8.")
        ) from None
    try:
        return _rows_from_table(workbook.worksheets[0].iter_rows(values_only=True))
    except SheetError:
        raise
    except Exception as exc:  # a damaged sheet inside a valid zip: still the user's file, not our 500
        logger.info("damaged xlsx: %s", exc)
        raise SheetError(_("Isi berkas XLSX rusak atau tidak dikenali. Simpan ulang dari Excel.")) from None
    finally:
        workbook.close()


def _read_csv(data: bytes) -> list[SheetRow]:
    if b"\x00" in data:
        raise SheetError(_("Berkas ini bukan CSV teks. Unggah XLSX atau CSV UTF-8."))
    try:
        text = data.decode("utf-8-sig")  # with or without the BOM Excel writes
    except UnicodeDecodeError:
        raise SheetError(
            _('Berkas CSV bukan UTF-8. Di Excel pilih Simpan Sebagai → "CSV UTF-8 (dipisah koma)".')
        ) from None
    first_line = text.split("\n", 1)[0]
    # Excel in Indonesian locale writes ';' between columns; pick whichever the header uses most.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        return _rows_from_table(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise SheetError(_("Berkas CSV tidak dapat dibaca (tanda kutip tidak seimbang?).")) from None


def read_sheet(data: bytes, filename: str) -> list[SheetRow]:
    """Rows of a users sheet; raises SheetError with an Indonesian message for any unusable file."""
    if not data:
        raise SheetError(_("Berkas kosong."))
    if len(data) > MAX_BYTES:
        raise SheetError(_("Berkas terlalu besar (maksimal 2 MB)."))
    name = (filename or "").lower()
    if name.endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError(_("Format .xls lama tidak didukung. Simpan sebagai .xlsx atau CSV UTF-8."))
    if data.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")) or not name:
        return _read_csv(data)
    raise SheetError(_("Jenis berkas tidak didukung. Unggah .xlsx atau .csv."))


# --- checking ----------------------------------------------------------------------------------------


def normalize_role(text: str) -> str | None:
    return _ROLE_ALIASES.get(re.sub(r"[^a-z]", "", text.lower()))


def normalize_code(text: str) -> str:
    """'35.73', ' 3573 ', '3573.0' -> '3573'."""
    text = text.strip()
    if re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
    return re.sub(r"[\s.]", "", text)


def username_for(email: str) -> str:
    return email.strip().lower()


@dataclass
class _Known:
    """What the checks of every row look up, loaded in four queries for the whole sheet."""

    regencies: dict[str, Regency]
    provinces: dict[str, Province]
    taken: set[str]  # e-mails and usernames of existing users, lower case
    lines_by_email: dict[str, list[int]]


def _known(rows: list[SheetRow]) -> _Known:
    codes = {normalize_code(r.code) for r in rows if r.code.strip()}
    emails = {username_for(r.email) for r in rows if r.email.strip()}
    taken = set()
    for email, username in (
        User.objects.annotate(e=Lower("email"), u=Lower("username"))
        .filter(Q(e__in=emails) | Q(u__in=emails))
        .values_list("e", "u")
    ):
        taken.update({email, username})
    lines_by_email: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if r.email.strip():
            lines_by_email[username_for(r.email)].append(r.line)
    return _Known(
        regencies={r.code: r for r in Regency.objects.filter(code__in=codes).select_related("province")},
        provinces={p.code: p for p in Province.objects.filter(code__in=codes)},
        taken=taken,
        lines_by_email=lines_by_email,
    )


def check_rows(rows: list[SheetRow]) -> list[CheckedRow]:
    """Every row with its problems (empty when fine). Four queries whatever the sheet's size."""
    known = _known(rows)
    checked = []
    for r in rows:
        c = CheckedRow(row=r)
        c.problems.extend(_name_problems(r))
        c.problems.extend(_email_problems(r, known))
        c.role = normalize_role(r.role)
        _check_scope(c, normalize_code(r.code), known)
        checked.append(c)
    return checked


def _name_problems(r: SheetRow) -> list[str]:
    if not r.name.strip():
        return [_("Nama wajib diisi.")]
    if len(r.name) > 150:
        return [_("Nama terlalu panjang (maksimal 150 karakter).")]
    return []


def _valid_email(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return len(email) <= 150


def _email_problems(r: SheetRow, known: _Known) -> list[str]:
    email = username_for(r.email)
    if not email:
        return [_("E-mail wajib diisi.")]
    problems = []
    if not _valid_email(email):
        problems.append(_('E-mail "%(email)s" tidak valid.') % {"email": r.email})
    elif email in known.taken:
        problems.append(_("Sudah ada pengguna dengan e-mail ini."))
    others = [line for line in known.lines_by_email[email] if line != r.line]
    if others:
        problems.append(
            _("E-mail ini muncul lebih dari sekali di lembar (juga baris %(lines)s).")
            % {"lines": ", ".join(map(str, others))}
        )
    return problems


def _check_scope(c: CheckedRow, code: str, known: _Known) -> None:
    """The role's scope: sets c.regency or c.province from the code, or adds the problem with them."""
    if c.role is None:
        if c.row.role.strip():
            c.problems.append(
                _('Peran "%(role)s" tidak dikenal; gunakan bnnk, bnnp, atau pusat.') % {"role": c.row.role}
            )
        else:
            c.problems.append(_("Peran wajib diisi (bnnk, bnnp, atau pusat)."))
    elif c.role == Role.BNNK:
        c.regency = _region_by_code(
            c,
            code,
            own=known.regencies,
            other=known.provinces,
            missing=_("Pengguna BNNK wajib memiliki kode kabupaten/kota (4 digit)."),
            wrong=_(
                "%(code)s adalah kode provinsi (%(name)s); pengguna BNNK memerlukan kode "
                "kabupaten/kota (4 digit)."
            ),
        )
    elif c.role == Role.BNNP:
        c.province = _region_by_code(
            c,
            code,
            own=known.provinces,
            other=known.regencies,
            missing=_("Pengguna BNNP wajib memiliki kode provinsi (2 digit)."),
            wrong=_(
                "%(code)s adalah kode kabupaten/kota (%(name)s); pengguna BNNP memerlukan kode "
                "provinsi (2 digit)."
            ),
        )
    elif code:
        c.problems.append(_("BNN pusat tidak terikat wilayah; kosongkan kode_wilayah."))


def _region_by_code(c: CheckedRow, code: str, *, own: dict, other: dict, missing: str, wrong: str):
    """The region of the role's level that `code` names, or None with the problem added to the row:
    `missing` without a code, `wrong` (with %(code)s and %(name)s) for a code of the other level."""
    if not code:
        c.problems.append(missing)
    elif code in own:
        return own[code]
    elif code in other:
        c.problems.append(wrong % {"code": code, "name": other[code].name})
    else:
        c.problems.append(_("Kode wilayah %(code)s tidak dikenal.") % {"code": code})
    return None


# --- writing -----------------------------------------------------------------------------------------


def create_users(rows: list[SheetRow]) -> list[User]:
    """Create every user of the sheet, or none: raises ImportRefused when any row has a problem."""
    checked = check_rows(rows)
    if not all(c.ok for c in checked):
        raise ImportRefused(checked)
    try:
        with transaction.atomic():
            users = []
            for c in checked:
                user = User(
                    username=username_for(c.row.email),
                    email=c.row.email.strip(),
                    first_name=c.row.name.strip(),
                    role=c.role,
                    regency=c.regency,
                    province=c.province,
                )
                # Nobody knows a password until the invitation link sets one.
                user.set_unusable_password()
                user.save()
                users.append(user)
    except IntegrityError:
        # Someone created one of these users between the check and the insert.
        raise ImportRefused(
            check_rows(rows), _("Data pengguna berubah saat impor; periksa pratinjau lalu coba lagi.")
        ) from None
    return users


def invitation_path(user: User) -> str:
    """The one-time set-password link: Django's password reset confirm page with a fresh token. The
    token stops working once a password is set (it hashes the password) or after PASSWORD_RESET_TIMEOUT."""
    return reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def invited_user(email: str) -> User | None:
    """The active user with this e-mail who has not set a password yet (so may be invited again)."""
    for user in User.objects.filter(email__iexact=email.strip(), is_active=True):
        if not user.has_usable_password():
            return user
    return None


def send_invitation(user: User, *, base_url: str) -> bool:
    """E-mail the invitation; True when sent. Never raises: the user exists either way and can be
    invited again."""
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    try:
        with translation.override("id"):
            context = {
                "user": user,
                "link": base_url.rstrip("/") + invitation_path(user),
                "login_url": base_url.rstrip("/") + reverse("login"),
                "days": days,
            }
            subject = render_to_string("registration/invitation_subject.txt", context).strip()
            body = render_to_string("registration/invitation_email.txt", context)
        EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]
        ).send()
    except Exception:
        logger.exception("invitation e-mail to %s failed", user.email)
        return False
    return True


def example_workbook() -> bytes:
    """The example sheet users download: the four columns, one row per role, and a notes sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "pengguna"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["Petugas BNNK Kota Malang", "petugas.malang@example.go.id", "bnnk", "3573"])
    sheet.append(["Koordinator BNNP Jawa Timur", "koordinator.jatim@example.go.id", "bnnp", "35"])
    sheet.append(["Analis BNN Pusat", "analis@example.go.id", "pusat", ""])
    for column, width in zip("ABCD", (34, 36, 10, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.column_dimensions["D"].number_format = "@"
    notes = workbook.create_sheet("petunjuk")
    for line in (
        "Isi lembar 'pengguna': satu baris per pengguna, judul kolom jangan diubah.",
        "peran: bnnk (BNN kabupaten/kota), bnnp (BNN provinsi), atau pusat (BNN pusat).",
        "kode_wilayah: kode Kemendagri kab/kota 4 digit untuk BNNK (mis. 3573), kode provinsi 2 digit "
        "untuk BNNP (mis. 35), kosong untuk BNN pusat.",
        "Setiap e-mail hanya boleh sekali dan belum terdaftar di KOTAN.",
        "Pengguna baru menerima e-mail undangan berisi tautan untuk membuat kata sandi.",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
