"""Dashboard figures: pure functions from a DataFrame (or Series) to a plotly figure. No database, no
request; labels come through gettext. Pages pass the figures to plotly.js (served from static/) as
JSON; the PDF reports can export the same figures as images.

Only basic trace types (bar, scatter, scatterpolar, heatmap) are used: they render
without 'unsafe-eval' under the site's Content-Security-Policy. The map is a plain longitude/latitude
scatter of the kab/kota centroids: plotly's geo traces fetch their base map (topojson) from a CDN at
run time, and no registry package ships Indonesian boundaries, so there is no coastline.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from plotly.colors import sample_colorscale

KABKOTA = "#0b3d6e"  # the KOTAN navy
PROVINCE = "#e07a1f"
NATIONAL = "#6c757d"
PREVIOUS = "#9ec5fe"
# Red (0) through amber to green (100): RdYlGn's pale middle vanished on white for the common 50-70.
SCORE_SCALE = [[0.0, "#b71c1c"], [0.3, "#e65100"], [0.5, "#f9a825"], [0.7, "#7cb342"], [1.0, "#1b5e20"]]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def _separators() -> str:
    # Indonesian writes 12.345,67; English 12,345.67.
    return ".," if (get_language() or "id").startswith("en") else ",."


def num(value: float, decimals: int = 1) -> str:
    """A number as text in the page's language (Indonesian decimal comma)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    if _separators() == ",.":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def _figure(
    traces: list[dict], height: int, layout: dict | None = None, narrow: dict | None = None
) -> go.Figure:
    """A figure from plain trace and layout dicts (plotly's figure schema) over the house layout.

    Built with _validate=False: plotly.py's per-property validation cost ~8 ms a chart, a third of a
    page's budget. tests/test_dashboards_charts.py validates every chart function's output instead.
    `narrow`: layout overrides static/js/charts.js applies below 460 px (phones), kept in layout.meta.
    """
    base = {
        "height": height,
        "margin": {"l": 8, "r": 8, "t": 28, "b": 8},
        "font": {"family": FONT, "size": 12, "color": "#212529"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "separators": _separators(),
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        "hoverlabel": {"font": {"family": FONT}},
    }
    base.update(layout or {})
    if narrow:
        base["meta"] = {"narrow": narrow}
    return go.Figure(data=traces, layout=base, _validate=False)


def _list(values) -> list:
    """Plain Python values (None for NaN) for a trace: readable JSON, no typed-array encoding."""
    return [None if (isinstance(v, float) and math.isnan(v)) else v for v in pd.Series(values).tolist()]


GRID = "#e9ecef"


def short(label: str, limit: int = 38) -> str:
    """A label cut to fit a phone-width axis (the full text stays in the hover)."""
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def narrow_name(label: str, limit: int = 18) -> str:
    """A phone-width label: "Kabupaten" abbreviated, then cut."""
    return short(str(label).replace("Kabupaten ", "Kab. "), limit)


def narrow_y(labels: list[str], limit: int = 18) -> dict:
    """Phone overrides: category y-axis labels cut to `limit` characters (tickvals keep the categories)."""
    return {"yaxis": {"tickvals": list(labels), "ticktext": [narrow_name(v, limit) for v in labels]}}


def wrap(label: str, width: int = 12) -> str:
    """A label broken into lines (plotly's <br>) of about `width` characters, so axis labels stay
    horizontal on a narrow chart instead of rotating over the legend."""
    lines: list[str] = []
    for word in str(label).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def category_colors(labels: list[str]) -> dict[str, str]:
    """One colour per category, lowest red to highest green, for any number of bands."""
    if not labels:
        return {}
    if len(labels) == 1:
        return {labels[0]: sample_colorscale(SCORE_SCALE, [0.8])[0]}
    points = [0.08 + 0.84 * i / (len(labels) - 1) for i in range(len(labels))]
    return dict(zip(labels, sample_colorscale(SCORE_SCALE, points), strict=True))


def score_colors(values) -> list[str]:
    """Bar colours for 0-100 scores on the red-yellow-green scale (explicit colours: plotly.js cannot
    derive a readable inside-text colour from a numeric marker colour)."""
    points = [min(max(float(v) / 100.0, 0.0), 1.0) if v == v else 0.0 for v in values]
    return sample_colorscale(SCORE_SCALE, points) if points else []


def empty(message: str, height: int = 220) -> go.Figure:
    """A blank figure saying why there is nothing to draw."""
    return _figure(
        [],
        height,
        {
            "annotations": [
                {"text": message, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper"}
            ],
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
        },
    )


# --- report card ------------------------------------------------------------------------------------------


def radar(values: pd.DataFrame) -> go.Figure:
    """Variables (index: names) as a radar, one closed line per column (kab/kota, province, national)."""
    colors = [KABKOTA, PROVINCE, NATIONAL]
    theta = [wrap(v, 11) for v in values.index]
    traces = []
    for i, column in enumerate(values.columns):
        r = values[column].astype("float64")
        if r.isna().all():
            continue
        traces.append(
            {
                "type": "scatterpolar",
                "r": _list([*r.round(2), round(float(r.iloc[0]), 2)]),
                "theta": [*theta, theta[0]],
                "name": str(column),
                "mode": "lines+markers",
                "line": {"color": colors[i % len(colors)], "width": 3 if i == 0 else 2},
                "fill": "toself" if i == 0 else "none",
                "fillcolor": "rgba(11,61,110,0.12)",
                "hovertemplate": "%{theta}: %{r:.2f}<extra>" + str(column) + "</extra>",
            }
        )
    return _figure(
        traces,
        380,
        {
            # First variable on top, clockwise; the scale runs between two spokes, clear of the labels.
            "polar": {
                "angularaxis": {"rotation": 90, "direction": "clockwise"},
                "radialaxis": {
                    "range": [0, 100],
                    "tickvals": [25, 50, 75, 100],
                    "tickfont": {"size": 9, "color": "#6c757d"},
                    "angle": 90 - 180 / max(len(values.index), 1),
                },
            },
            "margin": {"l": 60, "r": 60, "t": 40, "b": 30},
        },
        narrow={"margin": {"l": 78, "r": 78, "t": 40, "b": 30}},
    )


def _hbar_layout(xaxis: dict) -> dict:
    # Plotly draws the first category at the bottom: reversed, the first row is on top.
    return {"xaxis": {"gridcolor": GRID, **xaxis}, "yaxis": {"autorange": "reversed", "automargin": True}}


def indicator_bars(frame: pd.DataFrame) -> go.Figure:
    """Indicators (columns name, variable, score) as horizontal bars, weakest at the top."""
    data = frame.dropna(subset=["score"]).sort_values("score", ascending=True, kind="stable")
    if data.empty:
        return empty(_("Belum ada skor indikator."))
    labels = [short(n) for n in data["name"]]
    trace = {
        "type": "bar",
        "x": _list(data["score"].round(2)),
        "y": labels,
        "customdata": [[n, v] for n, v in zip(data["name"], data["variable"], strict=True)],
        "orientation": "h",
        "marker": {"color": score_colors(data["score"])},
        "text": [num(v) for v in data["score"]],
        "textposition": "auto",
        "hovertemplate": "%{customdata[0]} (%{customdata[1]}): %{x:.2f}<extra></extra>",
    }
    layout = _hbar_layout({"range": [0, 100], "title": {"text": _("skor (0–100)")}})
    return _figure([trace], 60 + 24 * len(data), layout, narrow_y(labels, 20))


def gains_bars(frame: pd.DataFrame, limit: int = 8) -> go.Figure:
    """What moves the score most (columns name, gain): the top indicators by overall points gained."""
    data = frame[frame["gain"] > 0].head(limit)
    if data.empty:
        return empty(_("Tidak ada indikator yang masih bisa naik satu tingkat jawaban."))
    labels = [short(n) for n in data["name"]]
    trace = {
        "type": "bar",
        "x": _list(data["gain"].round(2)),
        "y": labels,
        "customdata": _list(data["name"]),
        "orientation": "h",
        "marker": {"color": KABKOTA},
        "text": ["+" + num(g, 2) for g in data["gain"]],
        "textposition": "auto",
        "hovertemplate": "%{customdata}: +%{x:.2f}<extra></extra>",
    }
    layout = _hbar_layout({"title": {"text": _("tambahan poin indeks")}, "rangemode": "tozero"})
    return _figure([trace], 60 + 28 * len(data), layout, narrow_y(labels, 20))


def group_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Scores from each respondent group's answers alone: index group names, columns variable names
    (NaN where the group is not asked about the variable)."""
    if frame.empty or frame.isna().all().all():
        return empty(_("Belum ada skor per kelompok responden."))
    return _heat(frame, height=80 + 40 * len(frame))


def _heat(frame: pd.DataFrame, height: int, short_columns: list[str] | None = None) -> go.Figure:
    z = frame.to_numpy(dtype="float64")
    rows = [short(i, 30) for i in frame.index]
    trace = {
        "type": "heatmap",
        "z": [[None if math.isnan(v) else round(float(v), 2) for v in row] for row in z],
        "x": [wrap(c) for c in frame.columns],
        "y": rows,
        "text": [[num(v) for v in row] for row in z],
        "texttemplate": "%{text}",
        "colorscale": SCORE_SCALE,
        "zmin": 0,
        "zmax": 100,
        "xgap": 2,
        "ygap": 2,
        "hoverongaps": False,
        "colorbar": {"thickness": 10, "len": 0.9},
        "hovertemplate": "%{y} · %{x}: %{z:.2f}<extra></extra>",
    }
    layout = {
        "xaxis": {"side": "top", "automargin": True, "tickangle": 0, "tickfont": {"size": 11}},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "margin": {"l": 8, "r": 8, "t": 40, "b": 8},
    }
    narrow = narrow_y(rows, 16)
    if short_columns:  # on a phone, e.g. variable codes instead of their names
        narrow["xaxis"] = {"tickvals": trace["x"], "ticktext": list(short_columns)}
    return _figure([trace], height, layout, narrow)


def trend_tick(year: int, synthetic_years: set[int], provisional_years: set[int]) -> str:
    """A trend's year on the axis: "2024*" for synthetic (demo) data, "2026 (sementara)" while the
    year's results are not published (its point holds only the kab/kota verified so far)."""
    tick = f"{year}*" if year in synthetic_years else str(year)
    return _("%(year)s (sementara)") % {"year": tick} if year in provisional_years else tick


def trend(
    frame: pd.DataFrame, synthetic_years: set[int] | None = None, provisional_years: set[int] | None = None
) -> go.Figure:
    """Overall score by year: index years, one line per column (e.g. kab/kota, province, national).
    Synthetic (demo) years and years not published yet (provisional) are marked on the axis."""
    frame = frame.sort_index()
    if frame.dropna(how="all").empty:
        return empty(_("Belum ada skor terverifikasi dari tahun-tahun sebelumnya."))
    colors = [KABKOTA, PROVINCE, NATIONAL]
    ticks = [trend_tick(y, synthetic_years or set(), provisional_years or set()) for y in frame.index]
    traces = []
    for i, column in enumerate(frame.columns):
        y = frame[column].astype("float64")
        if y.isna().all():
            continue
        trace = {
            "type": "scatter",
            "x": ticks,
            "y": _list(y.round(2)),
            "name": str(column),
            "mode": "lines+markers+text" if i == 0 else "lines+markers",
            "textposition": "top center",
            "cliponaxis": False,
            "line": {"color": colors[i % len(colors)], "width": 3 if i == 0 else 2},
            "connectgaps": True,
            "hovertemplate": "%{x}: %{y:.2f}<extra>" + str(column) + "</extra>",
        }
        if i == 0:
            trace["text"] = [num(v) for v in y]
        traces.append(trace)
    layout = {
        "xaxis": {"type": "category"},
        "yaxis": {"title": {"text": _("indeks (0–100)")}, "gridcolor": GRID, "rangemode": "tozero"},
        "margin": {"l": 8, "r": 16, "t": 36, "b": 8},
    }
    return _figure(traces, 300, layout)


# --- province dashboard -----------------------------------------------------------------------------------


def heatmap(frame: pd.DataFrame, short_columns: list[str] | None = None) -> go.Figure:
    """Kab/kota (index names) × variable (columns names) scores; `short_columns` label the columns
    on a phone (e.g. the variable codes)."""
    data = frame.dropna(how="all")
    if data.empty:
        return empty(_("Belum ada skor kab/kota untuk periode ini."))
    return _heat(data, height=90 + 24 * len(data), short_columns=short_columns)


def category_distribution(counts: pd.Series, labels: list[str]) -> go.Figure:
    """How many kab/kota in each category (counts indexed by label), lowest category first."""
    counts = counts.reindex(labels, fill_value=0)
    if counts.sum() == 0:
        return empty(_("Belum ada kategori: belum ada skor terverifikasi."))
    colors = category_colors(labels)
    trace = {
        "type": "bar",
        "x": [wrap(c) for c in counts.index],
        "y": [int(v) for v in counts],
        "customdata": list(counts.index),
        "marker": {"color": [colors[c] for c in counts.index]},
        "text": [str(int(v)) for v in counts],
        "textposition": "auto",
        "hovertemplate": "%{customdata}: %{y}<extra></extra>",
    }
    layout = {
        "xaxis": {"tickangle": 0},
        "yaxis": {"title": {"text": _("jumlah kab/kota")}, "gridcolor": GRID, "rangemode": "tozero"},
    }
    return _figure([trace], 300, layout)


def comparison_bars(frame: pd.DataFrame) -> go.Figure:
    """Index and variables (index names) side by side for each column (e.g. province, national)."""
    if frame.dropna(how="all").empty:
        return empty(_("Belum ada rata-rata untuk dibandingkan."))
    colors = [PROVINCE, NATIONAL, KABKOTA]
    traces = []
    for i, column in enumerate(frame.columns):
        y = frame[column].astype("float64")
        traces.append(
            {
                "type": "bar",
                "x": [wrap(n) for n in frame.index],
                "y": _list(y.round(2)),
                "name": str(column),
                "marker": {"color": colors[i % len(colors)]},
                "text": [num(v, 0) for v in y],
                "textposition": "outside",
                "textangle": 0,
                "textfont": {"size": 10},
                "cliponaxis": False,
                "customdata": list(frame.index),
                "hovertemplate": "%{customdata}: %{y:.2f}<extra>" + str(column) + "</extra>",
            }
        )
    layout = {
        "barmode": "group",
        "xaxis": {"tickangle": 0, "tickfont": {"size": 10}},
        "yaxis": {"range": [0, 105], "title": {"text": _("skor (0–100)")}, "gridcolor": GRID},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0},
    }
    return _figure(traces, 340, layout)


def change_dumbbell(frame: pd.DataFrame, previous_label: str, current_label: str) -> go.Figure:
    """Year over year per kab/kota (columns name, previous, current): two dots joined by a line,
    sorted by the change, largest rise on top."""
    data = frame.dropna(subset=["previous", "current"]).copy()
    if data.empty:
        return empty(_("Belum ada skor dua tahun berturut-turut untuk dibandingkan."))
    data["change"] = data["current"] - data["previous"]
    data = data.sort_values("change", ascending=False, kind="stable")
    names = [short(n, 30) for n in data["name"]]
    xs, ys = [], []
    for name, a, b in zip(names, data["previous"], data["current"], strict=True):
        xs += [round(float(a), 2), round(float(b), 2), None]
        ys += [name, name, None]
    traces = [
        {
            "type": "scatter",
            "x": xs,
            "y": ys,
            "mode": "lines",
            "line": {"color": "#adb5bd", "width": 2},
            "showlegend": False,
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": _list(data["previous"].round(2)),
            "y": names,
            "mode": "markers",
            "name": previous_label,
            "marker": {"color": PREVIOUS, "size": 9},
            "hovertemplate": "%{y}: %{x:.2f}<extra>" + previous_label + "</extra>",
        },
        {
            "type": "scatter",
            "x": _list(data["current"].round(2)),
            "y": names,
            "mode": "markers",
            "name": current_label,
            "marker": {"color": KABKOTA, "size": 10},
            "customdata": _list(data["change"].round(2)),
            "hovertemplate": "%{y}: %{x:.2f} (%{customdata:+.2f})<extra>" + current_label + "</extra>",
        },
    ]
    layout = {
        "xaxis": {"title": {"text": _("indeks (0–100)")}, "gridcolor": GRID},
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
    }
    return _figure(traces, 90 + 22 * len(data), layout, narrow_y(names, 16))


# --- national dashboard -----------------------------------------------------------------------------------


def provinces_ranked(frame: pd.DataFrame, national: float | None = None) -> go.Figure:
    """Provinces by average verified score (columns province, overall, n), best on top, with the
    national average as a dashed line."""
    data = frame.dropna(subset=["overall"]).sort_values("overall", ascending=False, kind="stable")
    if data.empty:
        return empty(_("Belum ada skor terverifikasi."))
    labels = [short(p, 28) for p in data["province"]]
    trace = {
        "type": "bar",
        "x": _list(data["overall"].round(2)),
        "y": labels,
        "customdata": [[p, int(n)] for p, n in zip(data["province"], data["n"], strict=True)],
        "orientation": "h",
        "marker": {"color": score_colors(data["overall"])},
        "text": [num(v) for v in data["overall"]],
        "textposition": "auto",
        "hovertemplate": "%{customdata[0]}: %{x:.2f} (%{customdata[1]} kab/kota)<extra></extra>",
    }
    layout = _hbar_layout({"range": [0, 100], "dtick": 20, "title": {"text": _("rata-rata indeks")}})
    layout["margin"] = {"l": 8, "r": 20, "t": 30, "b": 8}
    if national is not None and np.isfinite(national):
        layout["shapes"] = [
            {
                "type": "line",
                "x0": national,
                "x1": national,
                "y0": 0,
                "y1": 1,
                "xref": "x",
                "yref": "paper",
                "line": {"color": NATIONAL, "dash": "dash", "width": 2},
            }
        ]
        layout["annotations"] = [
            {
                "x": national,
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "text": _("nasional %(v)s") % {"v": num(national, 2)},
                "showarrow": False,
                "font": {"color": NATIONAL},
            }
        ]
    return _figure([trace], max(200, 80 + 20 * len(data)), layout, narrow_y(labels, 16))


def category_by_province(frame: pd.DataFrame, labels: list[str]) -> go.Figure:
    """Stacked bars: kab/kota per category (columns labels) for each province (index names)."""
    data = frame.reindex(columns=labels, fill_value=0)
    data = data[data.sum(axis=1) > 0]
    if data.empty:
        return empty(_("Belum ada kategori: belum ada skor terverifikasi."))
    colors = category_colors(labels)
    data = data.loc[data.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    rows = [short(p, 28) for p in data.index]
    traces = [
        {
            "type": "bar",
            "x": [int(v) for v in data[label]],
            "y": rows,
            "name": label,
            "orientation": "h",
            "marker": {"color": colors[label]},
            "hovertemplate": "%{y} · " + label + ": %{x}<extra></extra>",
        }
        for label in labels
    ]
    layout = _hbar_layout({"title": {"text": _("jumlah kab/kota")}})
    layout.update(
        barmode="stack",
        # Above the bars: below them it collides with the axis title when there are few provinces.
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "traceorder": "normal"},
    )
    return _figure(traces, max(240, 110 + 20 * len(data)), layout, narrow_y(rows, 16))


def target_by_year(frame: pd.DataFrame, current_year: int | None = None) -> go.Figure:
    """Kab/kota reaching the target category per year (columns year, reached, target): bars, with the
    period's target count as a red line; the selected year darker."""
    data = frame.sort_values("year")
    if data.empty:
        return empty(_("Belum ada skor terverifikasi."))
    ticks = [str(y) for y in data["year"]]
    traces = [
        {
            "type": "bar",
            "x": ticks,
            "y": [int(v) for v in data["reached"]],
            "name": _("mencapai"),
            "marker": {"color": [KABKOTA if y == current_year else PREVIOUS for y in data["year"]]},
            "text": [str(int(v)) for v in data["reached"]],
            "textposition": "inside",
            "insidetextanchor": "start",
            "hovertemplate": "%{x}: %{y}<extra>" + _("mencapai") + "</extra>",
        },
        {
            "type": "scatter",
            "x": ticks,
            "y": [int(v) for v in data["target"]],
            "name": _("target"),
            "mode": "lines+markers",
            "line": {"color": "#dc3545", "dash": "dash", "width": 2},
            "marker": {"symbol": "line-ew-open", "size": 18, "line": {"width": 3, "color": "#dc3545"}},
            "hovertemplate": "%{x}: %{y}<extra>" + _("target") + "</extra>",
        },
    ]
    layout = {
        "xaxis": {"type": "category"},
        "yaxis": {"title": {"text": _("jumlah kab/kota")}, "gridcolor": GRID, "rangemode": "tozero"},
    }
    return _figure(traces, 300, layout)


def results_map(frame: pd.DataFrame) -> go.Figure:
    """Kab/kota centroids (columns name, province, longitude, latitude, overall, category) coloured by
    score on a longitude/latitude plane (equal scale, no base map)."""
    data = frame.dropna(subset=["longitude", "latitude", "overall"])
    if data.empty:
        return empty(_("Belum ada skor terverifikasi untuk dipetakan."))
    trace = {
        "type": "scatter",
        "x": _list(data["longitude"].round(4)),
        "y": _list(data["latitude"].round(4)),
        "mode": "markers",
        "customdata": [
            [n, p, c] for n, p, c in zip(data["name"], data["province"], data["category"], strict=True)
        ],
        "marker": {
            "color": _list(data["overall"].round(2)),
            "colorscale": SCORE_SCALE,
            "cmin": 0,
            "cmax": 100,
            "size": 8,
            "line": {"width": 0.5, "color": "#495057"},
            "colorbar": {"thickness": 10, "title": {"text": _("indeks")}},
        },
        "hovertemplate": (
            "%{customdata[0]} (%{customdata[1]}): %{marker.color:.2f} · %{customdata[2]}<extra></extra>"
        ),
    }
    layout = {
        "xaxis": {"visible": False, "range": [94.5, 141.5]},
        "yaxis": {"visible": False, "range": [-11.5, 6.5], "scaleanchor": "x", "scaleratio": 1},
        "plot_bgcolor": "#eaf2fb",
        "margin": {"l": 4, "r": 4, "t": 4, "b": 4},
    }
    return _figure([trace], 420, layout, narrow={"height": 230})
