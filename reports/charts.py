"""Dashboard charts: pure functions from a DataFrame (or Series) to a Figure, a wide and a narrow inline SVG
drawn by reports.svg (the module the PDF reports draw with too). No database, no request; labels come
through gettext, numbers in the page's language (num).

The page shows the wide SVG and, below 576 px, the narrow one: SVG text scales with its chart, so a
phone gets its own layout (shorter labels, fewer columns of text) rather than the desktop chart shrunk
to unreadable type. Values are in each mark's <title> (the browser's tooltip; static/js/charts.js shows
it on tap). The maps (province shapes, kab/kota points) are reports.maps'.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reports import svg

KABKOTA = "#0b3d6e"  # the KOTAN navy
PROVINCE = "#e07a1f"
NATIONAL = "#6c757d"
PREVIOUS = "#9ec5fe"
TARGET = "#dc3545"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
WIDE, NARROW = 640, 360  # viewBox widths: a half-width desktop card, a phone


def num(value: float | None, decimals: int = 1) -> str:
    """A number as text in the page's language (Indonesian decimal comma)."""
    if svg.missing(value):
        return ""
    text = f"{value:,.{decimals}f}"
    if not (get_language() or "id").startswith("en"):  # Indonesian writes 12.345,67; English 12,345.67
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


PAGE = svg.Style(font=FONT, size=12, number=num)
PHONE_RADAR = svg.Style(font=FONT, size=14, number=num)  # a radar's labels crowd its narrow layout


@dataclass(frozen=True)
class Figure:
    """A chart as inline SVG: `wide` for desktops, `narrow` for phones ("" when `wide` serves both)."""

    wide: str
    narrow: str = ""


def narrow_name(name: str) -> str:
    """A kab/kota name for a phone's row label: "Kabupaten" abbreviated (the full name stays in the
    wide layout and the tables)."""
    return name.replace("Kabupaten ", "Kab. ")


def _both(build: Callable[[bool], str]) -> Figure:
    """A figure from one builder called for the wide (False) and the narrow (True) layout."""
    return Figure(build(False), build(True))


def empty(message: str) -> Figure:
    """A blank chart saying why there is nothing to draw."""
    return _both(lambda narrow: svg.empty_chart(message, width=NARROW if narrow else 560, style=PAGE))


def _hbars(items, *, tips, colours, narrow: bool, **kw) -> str:
    """Horizontal bars at the page's two widths: names cut to fit, full names in the tooltips."""
    return svg.hbar_chart(
        items,
        tips=tips,
        colours=colours,
        width=NARROW if narrow else WIDE,
        label_width=128 if narrow else 240,
        max_label=16 if narrow else 32,
        style=PAGE,
        **kw,
    )


# --- report card ------------------------------------------------------------------------------------------


def radar(values: pd.DataFrame) -> Figure:
    """Variables (index: names) as a radar, one closed line per column (kab/kota, province, national);
    a column without any value is left out."""
    series = [
        (str(column), [None if svg.missing(v) else round(float(v), 2) for v in values[column]])
        for column in values.columns
        if not values[column].isna().all()
    ]
    axes = [str(v) for v in values.index]
    colours = [KABKOTA, PROVINCE, NATIONAL]
    return _both(
        lambda narrow: svg.radar_chart(
            axes,
            series,
            colours=colours,
            size=320 if narrow else 360,
            label_room=56 if narrow else 100,
            wrap=10 if narrow else 14,
            style=PHONE_RADAR if narrow else PAGE,
        )
    )


def indicator_bars(frame: pd.DataFrame) -> Figure:
    """Indicators (columns name, variable, score) as horizontal bars, weakest at the top."""
    data = frame.dropna(subset=["score"]).sort_values("score", ascending=True, kind="stable")
    if data.empty:
        return empty(_("Belum ada skor indikator."))
    items = [(str(n), float(v)) for n, v in zip(data["name"], data["score"], strict=True)]
    tips = [
        f"{n} ({v}): {num(s, 2)}"
        for n, v, s in zip(data["name"], data["variable"], data["score"], strict=True)
    ]
    colours = [svg.score_colour(v) for _n, v in items]
    return _both(
        lambda narrow: _hbars(items, tips=tips, colours=colours, narrow=narrow, decimals=1, bar_height=18)
    )


def gains_bars(frame: pd.DataFrame, limit: int = 8) -> Figure:
    """What moves the score most (columns name, gain): the top indicators by overall points gained."""
    data = frame[frame["gain"] > 0].head(limit)
    if data.empty:
        return empty(_("Tidak ada indikator yang masih bisa naik satu tingkat jawaban."))
    items = [(str(n), float(g)) for n, g in zip(data["name"], data["gain"], strict=True)]
    step = svg.nice_step(max(g for _n, g in items) * 1.2)
    maximum = step * math.ceil(max(g for _n, g in items) * 1.2 / step)
    return _both(
        lambda narrow: _hbars(
            items,
            tips=[f"{n}: +{num(g, 2)}" for n, g in items],
            texts=["+" + num(g, 2) for _n, g in items],
            colours=[KABKOTA] * len(items),
            narrow=narrow,
            maximum=maximum,
            step=step,
            bar_height=20,
        )
    )


def _heat(frame: pd.DataFrame, short_columns: list[str] | None) -> Figure:
    rows = [str(i) for i in frame.index]
    columns = [str(c) for c in frame.columns]
    values = [[None if svg.missing(v) else float(v) for v in row] for row in frame.to_numpy(dtype="float64")]

    def build(narrow: bool) -> str:
        return svg.heat_table(
            [narrow_name(r) for r in rows] if narrow else rows,
            list(short_columns) if narrow and short_columns else columns,
            values,
            width=NARROW if narrow else WIDE,
            label_width=120 if narrow else 190,
            max_label=15 if narrow else 28,
            wrap=9 if narrow else 12,
            style=PAGE,
        )

    return _both(build)


def group_heatmap(frame: pd.DataFrame, short_columns: list[str] | None = None) -> Figure:
    """Scores from each respondent group's answers alone: index group names, columns variable names
    (NaN where the group is not asked about the variable); `short_columns` label the columns on a phone."""
    if frame.empty or frame.isna().all().all():
        return empty(_("Belum ada skor per kelompok responden."))
    return _heat(frame, short_columns)


def trend_tick(year: int, synthetic_years: set[int], provisional_years: set[int]) -> str:
    """A trend's year on the axis: "2024*" for synthetic (demo) data, "2026 (sementara)" while the
    year's results are not published (its point holds only the kab/kota verified so far)."""
    tick = f"{year}*" if year in synthetic_years else str(year)
    return _("%(year)s (sementara)") % {"year": tick} if year in provisional_years else tick


def trend(
    frame: pd.DataFrame, synthetic_years: set[int] | None = None, provisional_years: set[int] | None = None
) -> Figure:
    """Overall score by year: index years, one line per column (e.g. kab/kota, province, national).
    Synthetic (demo) years and years not published yet (provisional) are marked on the axis."""
    frame = frame.sort_index()
    if frame.dropna(how="all").empty:
        return empty(_("Belum ada skor terverifikasi dari tahun-tahun sebelumnya."))
    colours = [KABKOTA, PROVINCE, NATIONAL]
    ticks = [trend_tick(y, synthetic_years or set(), provisional_years or set()) for y in frame.index]
    series = [
        (str(c), [None if svg.missing(v) else round(float(v), 2) for v in frame[c]], colours[i % 3])
        for i, c in enumerate(frame.columns)
        if not frame[c].isna().all()
    ]
    return _both(
        lambda narrow: svg.lines_chart(
            ticks, series, width=NARROW if narrow else WIDE, height=280 if narrow else 300, style=PAGE
        )
    )


# --- province dashboard -----------------------------------------------------------------------------------


def heatmap(frame: pd.DataFrame, short_columns: list[str] | None = None) -> Figure:
    """Kab/kota (index names) × variable (columns names) scores; `short_columns` label the columns
    on a phone (e.g. the variable codes)."""
    data = frame.dropna(how="all")
    if data.empty:
        return empty(_("Belum ada skor kab/kota untuk periode ini."))
    return _heat(data, short_columns)


def _columns(categories, series, narrow: bool, **kw) -> str:
    return svg.column_chart(
        categories,
        series,
        width=NARROW if narrow else 560,
        height=280 if narrow else 300,
        wrap=9 if narrow else 12,
        style=PAGE,
        **kw,
    )


def category_distribution(counts: pd.Series, labels: list[str]) -> Figure:
    """How many kab/kota in each category (counts indexed by label), lowest category first."""
    counts = counts.reindex(labels, fill_value=0)
    if counts.sum() == 0:
        return empty(_("Belum ada kategori: belum ada skor terverifikasi."))
    colours = svg.band_colours(labels)
    series = [(_("jumlah kab/kota"), [int(v) for v in counts], [colours[c] for c in labels])]
    return _both(lambda narrow: _columns(list(labels), series, narrow))


def comparison_bars(frame: pd.DataFrame, short_index: list[str] | None = None) -> Figure:
    """Index and variables (index names) side by side for each column (e.g. province, national);
    `short_index` labels the groups in the narrow layout (e.g. the variable codes)."""
    if frame.dropna(how="all").empty:
        return empty(_("Belum ada rata-rata untuk dibandingkan."))
    colours = [PROVINCE, NATIONAL, KABKOTA]
    series = [
        (
            str(c),
            [None if svg.missing(v) else round(float(v), 2) for v in frame[c]],
            [colours[i % 3]] * len(frame),
        )
        for i, c in enumerate(frame.columns)
    ]
    names = [str(i) for i in frame.index]
    return _both(
        lambda narrow: _columns(
            list(short_index) if narrow and short_index else names,
            series,
            narrow,
            maximum=100,
            tip_decimals=2,
        )
    )


def change_dumbbell(frame: pd.DataFrame, previous_label: str, current_label: str) -> Figure:
    """Year over year per kab/kota (columns name, previous, current): two dots joined by a line,
    sorted by the change, largest rise on top."""
    data = frame.dropna(subset=["previous", "current"]).copy()
    if data.empty:
        return empty(_("Belum ada skor dua tahun berturut-turut untuk dibandingkan."))
    data["change"] = data["current"] - data["previous"]
    data = data.sort_values("change", ascending=False, kind="stable")
    rows = [
        (str(n), float(a), float(b))
        for n, a, b in zip(data["name"], data["previous"], data["current"], strict=True)
    ]
    return _both(
        lambda narrow: svg.dumbbell_chart(
            [(narrow_name(n), a, b) for n, a, b in rows] if narrow else rows,
            (previous_label, current_label),
            colours=(PREVIOUS, KABKOTA),
            width=NARROW if narrow else WIDE,
            label_width=120 if narrow else 200,
            max_label=15 if narrow else 26,
            style=PAGE,
        )
    )


# --- national dashboard -----------------------------------------------------------------------------------


def provinces_ranked(frame: pd.DataFrame, national: float | None = None) -> Figure:
    """Provinces by average verified score (columns province, overall, n), best on top, with the
    national average as a dashed line."""
    data = frame.dropna(subset=["overall"]).sort_values("overall", ascending=False, kind="stable")
    if data.empty:
        return empty(_("Belum ada skor terverifikasi."))
    items = [(str(p), float(v)) for p, v in zip(data["province"], data["overall"], strict=True)]
    tips = [
        f"{p}: {num(v, 2)} ({int(n)} kab/kota)"
        for p, v, n in zip(data["province"], data["overall"], data["n"], strict=True)
    ]
    reference = (_("nasional"), float(national)) if national is not None and math.isfinite(national) else None
    colours = [svg.score_colour(v) for _p, v in items]
    return _both(
        lambda narrow: _hbars(
            items, tips=tips, colours=colours, narrow=narrow, reference=reference, decimals=1, bar_height=14
        )
    )


def category_by_province(frame: pd.DataFrame, labels: list[str]) -> Figure:
    """Stacked bars: kab/kota per category (columns labels) for each province (index names)."""
    data = frame.reindex(columns=labels, fill_value=0)
    data = data[data.sum(axis=1) > 0]
    if data.empty:
        return empty(_("Belum ada kategori: belum ada skor terverifikasi."))
    data = data.loc[data.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    colours = svg.band_colours(labels)
    rows = [(str(p), [int(v) for v in data.loc[p]]) for p in data.index]
    legend = [(label, colours[label]) for label in labels]
    return _both(
        lambda narrow: svg.stacked_hbars(
            rows,
            legend,
            width=NARROW if narrow else WIDE,
            label_width=120 if narrow else 200,
            max_label=15 if narrow else 26,
            style=PAGE,
        )
    )


def target_by_year(frame: pd.DataFrame, current_year: int | None = None) -> Figure:
    """Kab/kota reaching the target category per year (columns year, reached, target): bars, with the
    period's target count as a red dashed line; the selected year darker."""
    data = frame.sort_values("year")
    if data.empty:
        return empty(_("Belum ada skor terverifikasi."))
    years = [str(y) for y in data["year"]]
    reached = (
        _("mencapai"),
        [int(v) for v in data["reached"]],
        [KABKOTA if y == current_year else PREVIOUS for y in data["year"]],
    )
    target = (_("target"), [int(v) for v in data["target"]], TARGET)
    return _both(lambda narrow: _columns(years, [reached], narrow, target=target))
