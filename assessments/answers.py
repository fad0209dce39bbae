"""Pure rules for answer values: what a raw input means for a question, with messages in Indonesian."""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.utils.translation import gettext as _

from kotan.lib.service_errors import ServiceError

LIKERT = "likert"
YESNO = "yesno"
CHOICE = "choice"
NUMBER = "number"

MAX_NUMBER = 1e12  # far beyond any count a kab/kota reports; guards against overflow and typos


def parse_value(kind: str, option_values: Iterable[float], raw) -> float:
    """Turn a raw input (string or number) into the stored numeric value, or raise ServiceError.

    Likert, yes/no and choice accept exactly one of the question's option values (yes/no also accepts
    "ya"/"tidak"); a number accepts any finite number from 0 up to MAX_NUMBER.
    """
    text = str(raw).strip().replace(",", ".") if raw is not None else ""
    if text == "":
        raise ServiceError(_("Jawaban kosong."), code="empty")
    if kind == YESNO:
        lowered = text.lower()
        if lowered in ("ya", "yes", "y"):
            text = "1"
        elif lowered in ("tidak", "no", "t", "n"):
            text = "0"
    try:
        value = float(text)
    except ValueError:
        raise ServiceError(
            _("Jawaban harus berupa angka: %(raw)s") % {"raw": text[:40]}, code="not_number"
        ) from None
    if not math.isfinite(value):
        raise ServiceError(_("Jawaban harus berupa angka yang wajar."), code="not_number")
    if kind == NUMBER:
        if value < 0 or value > MAX_NUMBER:
            raise ServiceError(
                _("Angka harus antara 0 dan %(max)s.") % {"max": f"{MAX_NUMBER:,.0f}".replace(",", ".")},
                code="out_of_range",
            )
        return value
    allowed = sorted(float(v) for v in option_values)
    if value not in allowed:
        shown = ", ".join(f"{v:g}" for v in allowed)
        raise ServiceError(
            _("Nilai %(value)s di luar pilihan yang tersedia (%(allowed)s).")
            % {"value": f"{value:g}", "allowed": shown},
            code="out_of_range",
        )
    return value


def format_value(value: float | None) -> str:
    """An answer value as shown in inputs and messages: 4 not 4.0, 1000000 not 1e+06."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")
