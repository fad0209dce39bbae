"""Static SVG charts for the PDF reports: pure functions from plain numbers to an SVG string.

Why not plotly + kaleido: kaleido 1.x does work offline here with BROWSER_PATH=/usr/bin/chromium,
but it starts a headless Chromium for every export (about 4 s per figure on this machine) and would
put a browser on every Celery worker. These charts are simple (bars, a radar, a line), so building
the SVG by hand costs microseconds, needs no dependency, and WeasyPrint draws inline SVG natively.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Category colours from the lowest band to the highest (red → green); schemes have 3 to 5 bands.
_BAND_COLOURS = {
    1: ["#2e7d32"],
    2: ["#e65100", "#2e7d32"],
    3: ["#f9a825", "#7cb342", "#2e7d32"],
    4: ["#c62828", "#f9a825", "#7cb342", "#2e7d32"],
    5: ["#c62828", "#ef6c00", "#f9a825", "#7cb342", "#2e7d32"],
}
SERIES_COLOURS = ["#0d47a1", "#ef6c00", "#6a1b9a", "#00838f"]
NEUTRAL = "#90a4ae"
FONT = "DejaVu Sans, Liberation Sans, sans-serif"


def band_colours(labels: Sequence[str]) -> dict[str, str]:
    """Colour per category label, labels given lowest band first."""
    n = len(labels)
    if n == 0:
        return {}
    palette = _BAND_COLOURS.get(n)
    if palette is None:  # more than five bands: spread over the five-colour scale
        base = _BAND_COLOURS[5]
        palette = [base[round(i * 4 / (n - 1))] for i in range(n)]
    return dict(zip(labels, palette, strict=True))


def _t(value: object) -> str:
    return escape(str(value), {'"': "&quot;"})


def _fmt(value: float | None, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{decimals}f}".replace(".", ",")


# Advance widths of DejaVu Sans in em (digits 1303/2048, comma and full stop 651/2048, en dash 1024/2048);
# any other character counts as the widest Latin glyph (W, m, em dash: about 1 em), so that the estimate
# errs on the wide side.
_ADVANCE = {**dict.fromkeys("0123456789", 0.637), ",": 0.318, ".": 0.318, "–": 0.5, " ": 0.318}
_WIDE = 1.0


def text_width(text: str, font_size: float = 10.0) -> float:
    """The width of `text` drawn in FONT at `font_size` px (an upper estimate for other characters)."""
    return sum(_ADVANCE.get(ch, _WIDE) for ch in text) * font_size


@dataclass(frozen=True)
class LabelPlacement:
    """Where a bar's value label is drawn: text x and anchor, and the box it covers from left to right."""

    x: float
    anchor: str  # "start" or "end"
    inside: bool  # on the bar's own colour
    left: float
    right: float


def place_value_label(
    bar_start: float,
    bar_end: float,
    label_width: float,
    line_x: float | None = None,
    *,
    gap: float = 4.0,
    clearance: float = 2.5,
) -> LabelPlacement:
    """Place a bar's value label so that it never crosses the dashed reference line at `line_x`.

    The label sits just right of the bar's end, as everywhere in the chart. When that box would cross
    the line (a bar ending just short of it), the label goes inside the bar at its end, right-aligned,
    where it still reads as the bar's value and the line passes through empty space after the bar; a bar
    too short to hold it puts the label just right of the line instead.
    """
    outside = LabelPlacement(bar_end + gap, "start", False, bar_end + gap, bar_end + gap + label_width)
    if line_x is None or not _crosses(outside, line_x, clearance):
        return outside
    inside = LabelPlacement(bar_end - gap, "end", True, bar_end - gap - label_width, bar_end - gap)
    if inside.left >= bar_start + gap and not _crosses(inside, line_x, clearance):
        return inside
    right = max(line_x, bar_end) + clearance + gap / 2
    return LabelPlacement(right, "start", False, right, right + label_width)


def _crosses(label: LabelPlacement, line_x: float, clearance: float) -> bool:
    return label.left - clearance < line_x < label.right + clearance


def _ink_on(fill: str) -> str:
    """Black or white text, whichever contrasts more with a #rrggbb fill (WCAG relative luminance)."""
    channels = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#212121" if luminance > 0.179 else "#fff"


def _svg(width: int, height: int, body: list[str], title: str = "") -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="10" role="img">'
    )
    label = f"<title>{_t(title)}</title>" if title else ""
    return head + label + "".join(body) + "</svg>"


def hbar_chart(
    items: Sequence[tuple[str, float | None]],
    *,
    width: int = 640,
    bar_height: int = 16,
    maximum: float = 100.0,
    colours: Sequence[str] | None = None,
    reference: tuple[str, float] | None = None,
    label_width: int = 230,
    title: str = "",
    decimals: int = 2,
    max_label: int = 42,
) -> str:
    """Horizontal bars, one per (label, value), in the order given; a missing value draws no bar.

    `reference` draws a dashed vertical line (e.g. the national average) labelled at the top; no value
    label crosses it (place_value_label).
    """
    gap = 4
    top = 16 if reference else 4
    plot_w = width - label_width - 50
    height = top + len(items) * (bar_height + gap) + 18
    line_x = label_width + plot_w * max(0.0, min(reference[1], maximum)) / maximum if reference else None
    body: list[str] = []
    # grid every 20 points
    for tick in range(0, int(maximum) + 1, 20):
        x = label_width + plot_w * tick / maximum
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 16}" stroke="#e0e0e0"/>'
            f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" fill="#616161">{tick}</text>'
        )
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_height + gap)
        colour = colours[i] if colours else SERIES_COLOURS[0]
        short = label if len(label) <= max_label else label[: max_label - 1] + "…"
        body.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.72:.1f}" text-anchor="end">'
            f"{_t(short)}</text>"
        )
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            w = max(0.0, min(value, maximum)) / maximum * plot_w
            text = _fmt(value, decimals)
            spot = place_value_label(label_width, label_width + w, text_width(text), line_x)
            ink = f' fill="{_ink_on(colour)}"' if spot.inside else ""
            body.append(
                f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour}"/>'
                f'<text x="{spot.x:.1f}" y="{y + bar_height * 0.72:.1f}" text-anchor="{spot.anchor}"{ink}>'
                f"{text}</text>"
            )
    if reference:
        name, value = reference
        body.append(
            f'<line x1="{line_x:.1f}" y1="{top - 2}" x2="{line_x:.1f}" y2="{height - 16}" stroke="#212121" '
            f'stroke-width="1.2" stroke-dasharray="4 3"/>'
            f'<text x="{line_x:.1f}" y="{top - 5}" text-anchor="middle" font-size="9">'
            f"{_t(name)} {_fmt(value)}</text>"
        )
    return _svg(width, height, body, title)


def radar_chart(
    axes: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    size: int = 340,
    maximum: float = 100.0,
    title: str = "",
) -> str:
    """A radar (spider) chart: one polygon per (name, values), axes clockwise from the top."""
    n = len(axes)
    legend_h = 16 * len(series) + 6
    width, height = size + 160, size - 30 + legend_h
    cx, cy, r = width / 2, size / 2 - 10, size / 2 - 50
    body: list[str] = []

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        k = max(0.0, min(value, maximum)) / maximum
        return cx + r * k * math.cos(angle), cy + r * k * math.sin(angle)

    for level in (20, 40, 60, 80, 100):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(n)))
        body.append(f'<polygon points="{pts}" fill="none" stroke="#e0e0e0" stroke-width="1"/>')
        if level < 100:  # the 100 ring's label would sit under the first axis name
            x, y = point(0, level)
            body.append(f'<text x="{x + 3:.1f}" y="{y + 3:.1f}" font-size="8" fill="#9e9e9e">{level}</text>')
    for i, name in enumerate(axes):
        x, y = point(i, maximum)
        body.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#bdbdbd"/>')
        lx, ly = point(i, maximum * 1.12)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        body.append(f'<text x="{lx:.1f}" y="{ly + 3:.1f}" text-anchor="{anchor}">{_t(name)}</text>')
    for s, (name, values) in enumerate(series):
        colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
        pts = [point(i, v) for i, v in enumerate(values) if v is not None and not math.isnan(v)]
        if len(pts) == n and n:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            opacity = "0.18" if s == 0 else "0"
            dash = "" if s == 0 else ' stroke-dasharray="5 3"'
            body.append(
                f'<polygon points="{coords}" fill="{colour}" fill-opacity="{opacity}" stroke="{colour}" '
                f'stroke-width="2"{dash}/>'
            )
        ly = cy + r + 32 + s * 16
        body.append(
            f'<rect x="{width / 2 - 80:.1f}" y="{ly}" width="12" height="10" fill="{colour}"/>'
            f'<text x="{width / 2 - 62:.1f}" y="{ly + 9}">{_t(name)}</text>'
        )
    return _svg(int(width), int(height), body, title)


def stacked_bar(
    segments: Sequence[tuple[str, int]],
    colours: dict[str, str],
    *,
    width: int = 640,
    title: str = "",
) -> str:
    """One horizontal bar split into counted segments (e.g. kab/kota per category), with a legend."""
    total = sum(n for _, n in segments) or 1
    body: list[str] = []
    x = 0.0
    for label, n in segments:
        w = width * n / total
        if n:
            body.append(
                f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="26" fill="{colours.get(label, NEUTRAL)}"/>'
            )
            if w > 22:
                body.append(
                    f'<text x="{x + w / 2:.1f}" y="17" text-anchor="middle" fill="#fff" '
                    f'font-weight="bold">{n}</text>'
                )
        x += w
    lx, ly = 0, 36
    for label, n in segments:
        text = f"{label} ({n})"
        item = 14 + int(len(text) * 6.2) + 14
        if lx and lx + item > width:  # wrap the legend instead of running off the chart
            lx, ly = 0, ly + 16
        body.append(
            f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{colours.get(label, NEUTRAL)}"/>'
            f'<text x="{lx + 14}" y="{ly + 9}">{_t(text)}</text>'
        )
        lx += item
    return _svg(width, ly + 16, body, title)


def line_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    width: int = 640,
    height: int = 200,
    maximum: float = 100.0,
    title: str = "",
) -> str:
    """A single line over labelled x positions (e.g. the national average by year)."""
    left, right, top, bottom = 36, 20, 14, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    body: list[str] = []
    for tick in range(0, int(maximum) + 1, 20):
        y = top + plot_h * (1 - tick / maximum)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e0e0e0"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#616161">{tick}</text>'
        )
    n = len(points)
    coords = []
    for i, (label, value) in enumerate(points):
        x = left + (plot_w * (i + 0.5) / n if n else 0)
        body.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{_t(label)}</text>')
        if value is not None and not math.isnan(value):
            y = top + plot_h * (1 - max(0.0, min(value, maximum)) / maximum)
            coords.append((x, y, value))
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="{SERIES_COLOURS[0]}" stroke-width="2"/>')
    for x, y, value in coords:
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{SERIES_COLOURS[0]}"/>'
            f'<text x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle">{_fmt(value)}</text>'
        )
    return _svg(width, height, body, title)
