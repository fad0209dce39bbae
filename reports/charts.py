"""Dashboard figures: pure functions from a DataFrame (or Series) to a plotly figure. No database, no
request; labels come through gettext. Pages pass the figures to plotly.js (served from static/) as
JSON; the PDF reports can export the same figures as images.

Only basic trace types (bar, scatter, scatterpolar, heatmap, indicator) are used: they render
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
SCORE_SCALE = "RdYlGn"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def _separators() -> str:
    # Indonesian writes 12.345,67; English 12,345.67.
    return ".," if (get_language() or "id").startswith("en") else ",."


def _layout(fig: go.Figure, height: int, **kw) -> go.Figure:
    layout = {
        "height": height,
        "margin": {"l": 8, "r": 8, "t": 28, "b": 8},
        "font": {"family": FONT, "size": 12, "color": "#212529"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "separators": _separators(),
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        "hoverlabel": {"font": {"family": FONT}},
    }
    fig.update_layout({**layout, **kw})
    return fig


def short(label: str, limit: int = 38) -> str:
    """A label cut to fit a phone-width axis (the full text stays in the hover)."""
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def category_colors(labels: list[str]) -> dict[str, str]:
    """One colour per category, lowest red to highest green, for any number of bands."""
    if not labels:
        return {}
    if len(labels) == 1:
        return {labels[0]: sample_colorscale(SCORE_SCALE, [0.8])[0]}
    points = [0.08 + 0.84 * i / (len(labels) - 1) for i in range(len(labels))]
    return dict(zip(labels, sample_colorscale(SCORE_SCALE, points), strict=True))


def empty(message: str, height: int = 220) -> go.Figure:
    """A blank figure saying why there is nothing to draw."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, height)


# --- report card ------------------------------------------------------------------------------------------


def radar(values: pd.DataFrame) -> go.Figure:
    """Variables (index: names) as a radar, one closed line per column (kab/kota, province, national)."""
    colors = [KABKOTA, PROVINCE, NATIONAL]
    fig = go.Figure()
    theta = [short(v, 22) for v in values.index]
    for i, column in enumerate(values.columns):
        r = values[column].astype("float64")
        if r.isna().all():
            continue
        fig.add_trace(
            go.Scatterpolar(
                r=[*r.round(2), round(float(r.iloc[0]), 2)],
                theta=[*theta, theta[0]],
                name=str(column),
                mode="lines+markers",
                line={"color": colors[i % len(colors)], "width": 3 if i == 0 else 2},
                fill="toself" if i == 0 else "none",
                fillcolor="rgba(11,61,110,0.12)",
                hovertemplate="%{theta}: %{r:.2f}<extra>" + str(column) + "</extra>",
            )
        )
    fig.update_layout(polar={"radialaxis": {"range": [0, 100], "tickfont": {"size": 10}}})
    return _layout(fig, 380, margin={"l": 40, "r": 40, "t": 30, "b": 30})


def indicator_bars(frame: pd.DataFrame) -> go.Figure:
    """Indicators (columns name, variable, score) as horizontal bars, weakest at the top."""
    data = frame.dropna(subset=["score"]).sort_values("score", ascending=True, kind="stable")
    if data.empty:
        return empty(_("Belum ada skor indikator."))
    fig = go.Figure(
        go.Bar(
            x=data["score"].round(2),
            y=[short(n) for n in data["name"]],
            customdata=np.stack([data["name"], data["variable"]], axis=-1),
            orientation="h",
            marker={"color": data["score"], "colorscale": SCORE_SCALE, "cmin": 0, "cmax": 100},
            text=data["score"].round(1),
            textposition="auto",
            hovertemplate="%{customdata[0]} (%{customdata[1]}): %{x:.2f}<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 100], title=_("skor (0–100)"), gridcolor="#e9ecef")
    # Plotly draws the first category at the bottom: reversed, the weakest is on top.
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _layout(fig, 60 + 24 * len(data))


def gains_bars(frame: pd.DataFrame, limit: int = 8) -> go.Figure:
    """What moves the score most (columns name, gain): the top indicators by overall points gained."""
    data = frame[frame["gain"] > 0].head(limit)
    if data.empty:
        return empty(_("Tidak ada indikator yang masih bisa naik satu tingkat jawaban."))
    fig = go.Figure(
        go.Bar(
            x=data["gain"].round(2),
            y=[short(n) for n in data["name"]],
            customdata=data["name"],
            orientation="h",
            marker={"color": KABKOTA},
            text=["+" + f"{g:.2f}" for g in data["gain"]],
            textposition="auto",
            hovertemplate="%{customdata}: +%{x:.2f}<extra></extra>",
        )
    )
    fig.update_xaxes(title=_("tambahan poin indeks"), gridcolor="#e9ecef", rangemode="tozero")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _layout(fig, 60 + 28 * len(data))


def group_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Scores from each respondent group's answers alone: index group names, columns variable names
    (NaN where the group is not asked about the variable)."""
    if frame.empty or frame.isna().all().all():
        return empty(_("Belum ada skor per kelompok responden."))
    return _heat(frame, height=80 + 40 * len(frame))


def _heat(frame: pd.DataFrame, height: int) -> go.Figure:
    z = frame.to_numpy(dtype="float64")
    text = [["" if math.isnan(v) else f"{v:.1f}" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=np.round(z, 2),
            x=[short(c, 20) for c in frame.columns],
            y=[short(i, 30) for i in frame.index],
            text=text,
            texttemplate="%{text}",
            colorscale=SCORE_SCALE,
            zmin=0,
            zmax=100,
            xgap=2,
            ygap=2,
            hoverongaps=False,
            colorbar={"thickness": 10, "len": 0.9},
            hovertemplate="%{y} · %{x}: %{z:.2f}<extra></extra>",
        )
    )
    fig.update_xaxes(side="top", automargin=True)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _layout(fig, height, margin={"l": 8, "r": 8, "t": 40, "b": 8})


def trend(frame: pd.DataFrame, synthetic_years: set[int] | None = None) -> go.Figure:
    """Overall score by year: index years, one line per column (e.g. kab/kota, province, national).
    Synthetic (demo) years are marked on the axis."""
    frame = frame.sort_index()
    if frame.dropna(how="all").empty:
        return empty(_("Belum ada skor terverifikasi dari tahun-tahun sebelumnya."))
    colors = [KABKOTA, PROVINCE, NATIONAL]
    synthetic_years = synthetic_years or set()
    ticks = [f"{y}*" if y in synthetic_years else str(y) for y in frame.index]
    fig = go.Figure()
    for i, column in enumerate(frame.columns):
        y = frame[column].astype("float64")
        if y.isna().all():
            continue
        fig.add_trace(
            go.Scatter(
                x=ticks,
                y=y.round(2),
                name=str(column),
                mode="lines+markers+text" if i == 0 else "lines+markers",
                text=[("" if math.isnan(v) else f"{v:.1f}") for v in y] if i == 0 else None,
                textposition="top center",
                line={"color": colors[i % len(colors)], "width": 3 if i == 0 else 2},
                connectgaps=True,
                hovertemplate="%{x}: %{y:.2f}<extra>" + str(column) + "</extra>",
            )
        )
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=_("indeks (0–100)"), gridcolor="#e9ecef", rangemode="tozero")
    return _layout(fig, 300)


# --- province dashboard -----------------------------------------------------------------------------------


def heatmap(frame: pd.DataFrame) -> go.Figure:
    """Kab/kota (index names) × variable (columns names) scores."""
    data = frame.dropna(how="all")
    if data.empty:
        return empty(_("Belum ada skor kab/kota untuk periode ini."))
    return _heat(data, height=90 + 24 * len(data))


def category_distribution(counts: pd.Series, labels: list[str]) -> go.Figure:
    """How many kab/kota in each category (counts indexed by label), lowest category first."""
    counts = counts.reindex(labels, fill_value=0)
    if counts.sum() == 0:
        return empty(_("Belum ada kategori: belum ada skor terverifikasi."))
    colors = category_colors(labels)
    fig = go.Figure(
        go.Bar(
            x=list(counts.index),
            y=counts.to_numpy(),
            marker={"color": [colors[c] for c in counts.index]},
            text=counts.to_numpy(),
            textposition="auto",
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.update_yaxes(title=_("jumlah kab/kota"), gridcolor="#e9ecef", rangemode="tozero")
    return _layout(fig, 300)


def comparison_bars(frame: pd.DataFrame) -> go.Figure:
    """Index and variables (index names) side by side for each column (e.g. province, national)."""
    if frame.dropna(how="all").empty:
        return empty(_("Belum ada rata-rata untuk dibandingkan."))
    colors = [PROVINCE, NATIONAL, KABKOTA]
    fig = go.Figure()
    for i, column in enumerate(frame.columns):
        y = frame[column].astype("float64")
        fig.add_trace(
            go.Bar(
                x=[short(n, 20) for n in frame.index],
                y=y.round(2),
                name=str(column),
                marker={"color": colors[i % len(colors)]},
                text=[("" if math.isnan(v) else f"{v:.1f}") for v in y],
                textposition="auto",
                hovertemplate="%{x}: %{y:.2f}<extra>" + str(column) + "</extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 100], title=_("skor (0–100)"), gridcolor="#e9ecef")
    return _layout(fig, 320)


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
        xs += [a, b, None]
        ys += [name, name, None]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"color": "#adb5bd", "width": 2},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=data["previous"].round(2),
            y=names,
            mode="markers",
            name=previous_label,
            marker={"color": PREVIOUS, "size": 9},
            hovertemplate="%{y}: %{x:.2f}<extra>" + previous_label + "</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=data["current"].round(2),
            y=names,
            mode="markers",
            name=current_label,
            marker={"color": KABKOTA, "size": 10},
            customdata=data["change"].round(2),
            hovertemplate="%{y}: %{x:.2f} (%{customdata:+.2f})<extra>" + current_label + "</extra>",
        )
    )
    fig.update_xaxes(title=_("indeks (0–100)"), gridcolor="#e9ecef")
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    return _layout(fig, 90 + 22 * len(data))


# --- national dashboard -----------------------------------------------------------------------------------


def provinces_ranked(frame: pd.DataFrame, national: float | None = None) -> go.Figure:
    """Provinces by average verified score (columns province, overall, n), best on top, with the
    national average as a line."""
    data = frame.dropna(subset=["overall"]).sort_values("overall", ascending=False, kind="stable")
    if data.empty:
        return empty(_("Belum ada skor terverifikasi."))
    fig = go.Figure(
        go.Bar(
            x=data["overall"].round(2),
            y=[short(p, 28) for p in data["province"]],
            customdata=np.stack([data["province"], data["n"]], axis=-1),
            orientation="h",
            marker={"color": data["overall"], "colorscale": SCORE_SCALE, "cmin": 0, "cmax": 100},
            text=[f"{v:.1f}" for v in data["overall"]],
            textposition="auto",
            hovertemplate="%{customdata[0]}: %{x:.2f} (%{customdata[1]} kab/kota)<extra></extra>",
        )
    )
    if national is not None and np.isfinite(national):
        fig.add_vline(x=national, line={"color": NATIONAL, "dash": "dash", "width": 2})
        fig.add_annotation(
            x=national,
            y=1,
            yref="paper",
            yanchor="bottom",
            text=_("nasional %(v)s") % {"v": f"{national:.2f}"},
            showarrow=False,
            font={"color": NATIONAL},
        )
    fig.update_xaxes(range=[0, 100], title=_("rata-rata indeks"), gridcolor="#e9ecef")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _layout(fig, 80 + 20 * len(data), margin={"l": 8, "r": 8, "t": 30, "b": 8})


def category_by_province(frame: pd.DataFrame, labels: list[str]) -> go.Figure:
    """Stacked bars: kab/kota per category (columns labels) for each province (index names)."""
    data = frame.reindex(columns=labels, fill_value=0)
    data = data[data.sum(axis=1) > 0]
    if data.empty:
        return empty(_("Belum ada kategori: belum ada skor terverifikasi."))
    colors = category_colors(labels)
    order = data.sum(axis=1).sort_values(ascending=False, kind="stable").index
    data = data.loc[order]
    fig = go.Figure()
    for label in labels:
        fig.add_trace(
            go.Bar(
                x=data[label],
                y=[short(p, 28) for p in data.index],
                name=label,
                orientation="h",
                marker={"color": colors[label]},
                hovertemplate="%{y} · " + label + ": %{x}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=_("jumlah kab/kota"), gridcolor="#e9ecef")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _layout(fig, 110 + 20 * len(data))


def target_gauge(reached: int, target: int, ranked: int) -> go.Figure:
    """How many kab/kota reach the target category, against the period's target count."""
    top = max(target, reached, ranked, 1)
    fig = go.Figure(
        go.Indicator(
            mode="number+gauge+delta",
            value=reached,
            delta={
                "reference": target,
                "increasing": {"color": "#198754"},
                "decreasing": {"color": "#dc3545"},
            },
            gauge={
                "shape": "bullet",
                "axis": {"range": [0, top]},
                "bar": {"color": KABKOTA, "thickness": 0.5},
                "threshold": {"line": {"color": "#dc3545", "width": 3}, "thickness": 0.9, "value": target},
                "steps": [{"range": [0, ranked], "color": "#e9ecef"}],
            },
            domain={"x": [0.22, 1], "y": [0, 1]},
            number={"valueformat": "d"},
        )
    )
    return _layout(fig, 110, margin={"l": 8, "r": 16, "t": 10, "b": 24})


def results_map(frame: pd.DataFrame) -> go.Figure:
    """Kab/kota centroids (columns name, province, longitude, latitude, overall, category) coloured by
    score on a longitude/latitude plane (equal scale, no base map)."""
    data = frame.dropna(subset=["longitude", "latitude", "overall"])
    if data.empty:
        return empty(_("Belum ada skor terverifikasi untuk dipetakan."))
    fig = go.Figure(
        go.Scatter(
            x=data["longitude"],
            y=data["latitude"],
            mode="markers",
            customdata=np.stack([data["name"], data["province"], data["category"]], axis=-1),
            marker={
                "color": data["overall"].round(2),
                "colorscale": SCORE_SCALE,
                "cmin": 0,
                "cmax": 100,
                "size": 8,
                "line": {"width": 0.5, "color": "#495057"},
                "colorbar": {"thickness": 10, "title": {"text": _("indeks")}},
            },
            hovertemplate=(
                "%{customdata[0]} (%{customdata[1]}): %{marker.color:.2f} · %{customdata[2]}<extra></extra>"
            ),
        )
    )
    fig.update_xaxes(visible=False, range=[94.5, 141.5])
    fig.update_yaxes(visible=False, range=[-11.5, 6.5], scaleanchor="x", scaleratio=1)
    return _layout(fig, 420, plot_bgcolor="#eaf2fb", margin={"l": 4, "r": 4, "t": 4, "b": 4})
