"""Pure rules of action plans: the four KOTAN strategies, the strategy suggested per variable, whether an
item is overdue, whether a target date is sane. No database, no request: plain values in, values out."""

from __future__ import annotations

import datetime

# The four KOTAN strategies (BNNP NTB, 2024). Labels live on the model's choices.
PENGUATAN_KELEMBAGAAN = "penguatan_kelembagaan"
PENGEMBANGAN_KAPASITAS = "pengembangan_kapasitas"
PELIBATAN_PEMANGKU_KEPENTINGAN = "pelibatan_pemangku_kepentingan"
PENGEMBANGAN_KEGIATAN = "pengembangan_kegiatan"

# The strategy a suggestion proposes for an indicator of each variable (by the variable's code in the
# default instrument, lower case). A plain mapping, not a finding: the BNNK changes it freely.
#   Kelembagaan, Hukum: decrees, RAD, regulation and budget are institutional work.
#   Ketahanan Keluarga: counselling, knowledge and role models are capacity building.
#   Ketahanan Masyarakat: volunteers, Desa Bersinar and local wisdom are activities.
#   Kewilayahan: mapping and supervision need the stakeholders of the area.
STRATEGY_BY_VARIABLE = {
    "kl": PENGUATAN_KELEMBAGAAN,
    "kelembagaan": PENGUATAN_KELEMBAGAAN,
    "hk": PENGUATAN_KELEMBAGAAN,
    "hukum": PENGUATAN_KELEMBAGAAN,
    "kk": PENGEMBANGAN_KAPASITAS,
    "keluarga": PENGEMBANGAN_KAPASITAS,
    "km": PENGEMBANGAN_KEGIATAN,
    "masyarakat": PENGEMBANGAN_KEGIATAN,
    "kw": PELIBATAN_PEMANGKU_KEPENTINGAN,
    "kewilayahan": PELIBATAN_PEMANGKU_KEPENTINGAN,
}
DEFAULT_STRATEGY = PENGEMBANGAN_KAPASITAS

# How far ahead a target date may lie (to the end of that year): a plan runs about a year, two at most.
MAX_TARGET_YEARS = 3


def strategy_for_variable(variable_code: str) -> str:
    return STRATEGY_BY_VARIABLE.get(variable_code.strip().lower(), DEFAULT_STRATEGY)


def is_overdue(*, target_date: datetime.date | None, status: str, today: datetime.date) -> bool:
    """An item is overdue when its target date has passed and it is neither done nor cancelled."""
    if target_date is None:
        return False
    return status in ("direncanakan", "berjalan") and target_date < today


def target_date_problem(target_date: datetime.date, *, period_year: int, today: datetime.date) -> str:
    """'' when sane; else which rule it breaks: 'before_period' (before the period's year) or 'too_far'
    (after the end of the MAX_TARGET_YEARS-th year from today)."""
    if target_date.year < period_year:
        return "before_period"
    if target_date.year > today.year + MAX_TARGET_YEARS:
        return "too_far"
    return ""


def pick_suggestions(
    gains: list[tuple[str, float]], scores: dict[str, float], *, top: int = 3, weakest: int = 3
):
    """The indicator codes to propose, each with why: the `top` with the largest positive gain, then the
    `weakest` lowest stored scores not already chosen. Returns [(code, reason)], reason 'gain' or 'weak'."""
    chosen: list[tuple[str, str]] = []
    for code, gain in sorted(gains, key=lambda g: -g[1]):
        if len(chosen) >= top:
            break
        if gain > 0:
            chosen.append((code, "gain"))
    taken = {code for code, _r in chosen}
    for code, _score in sorted(scores.items(), key=lambda s: (s[1], s[0]))[: weakest + len(taken)]:
        if code not in taken and sum(r == "weak" for _c, r in chosen) < weakest:
            chosen.append((code, "weak"))
            taken.add(code)
    return chosen
