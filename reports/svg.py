"""Charts as SVG, for the dashboard pages and the PDF reports alike: pure functions from plain numbers and
labels to an SVG string (bars, stacked bars, columns, lines, a radar, a heat table, a dumbbell, points on a
longitude/latitude plane). Every mark that stands for a value carries a <title> (the browser's own tooltip;
static/js/charts.js shows it on tap), and marks of one series sit in a <g data-series="name">.

Why SVG built by hand, not plotly: plotly.js cost the pages 1.5 MB, and plotly + kaleido for the PDFs
starts a headless Chromium per figure (about 4 s). These charts are simple, so building the SVG costs
microseconds, needs no dependency, and both browsers and WeasyPrint draw inline SVG natively. Only
presentation attributes (fill=, stroke=, font-size=), never style="", so the pages' CSP holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
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
    if missing(value):
        return "–"
    return f"{value:.{decimals}f}".replace(".", ",")


def missing(value: object) -> bool:
    """No value to draw: None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class Style:
    """A chart's font, font size (in the chart's own units) and number format: PDF below, or the pages'
    (reports.charts.PAGE: the system font, bigger, numbers in the page's language)."""

    font: str = FONT
    size: float = 10.0
    number: Callable[[float | None, int], str] = _fmt


PDF = Style()
# Red (0) through amber to green (100), for scores: bars, heat cells.
SCORE_SCALE = ((0.0, "#b71c1c"), (0.3, "#e65100"), (0.5, "#f9a825"), (0.7, "#7cb342"), (1.0, "#1b5e20"))


def score_colour(value: float | None, maximum: float = 100.0) -> str:
    """The colour of a 0-`maximum` score on SCORE_SCALE (NEUTRAL when missing)."""
    if missing(value):
        return NEUTRAL
    k = max(0.0, min(float(value) / maximum, 1.0))
    for (k0, c0), (k1, c1) in pairwise(SCORE_SCALE):
        if k <= k1:
            f = (k - k0) / (k1 - k0)
            rgb = [round(int(c0[i : i + 2], 16) * (1 - f) + int(c1[i : i + 2], 16) * f) for i in (1, 3, 5)]
            return "#" + "".join(f"{v:02x}" for v in rgb)
    return SCORE_SCALE[-1][1]


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


# --- building blocks --------------------------------------------------------------------------------------


def cut(label: str, limit: int) -> str:
    """A label cut to `limit` characters (with an ellipsis); the full text stays in the mark's title."""
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def wrap_words(label: str, width: int = 12) -> list[str]:
    """A label broken into lines of about `width` characters, at spaces."""
    lines: list[str] = []
    for word in str(label).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _title(text: str) -> str:
    return f"<title>{_t(text)}</title>" if text else ""


def _mark(tag: str, attrs: str, tip: str = "") -> str:
    """An SVG element, with its value as a tooltip (<title>) when `tip` is given."""
    return f"<{tag} {attrs}>{_title(tip)}</{tag}>" if tip else f"<{tag} {attrs}/>"


def _group(name: str, marks: Sequence[str]) -> str:
    """The marks of one series, named for tests and readers of the markup."""
    return f'<g data-series="{_t(name)}">' + "".join(marks) + "</g>"


def _lines(x: float, y: float, lines: Sequence[str], line_height: float, attrs: str = "") -> str:
    """Text of several lines, the first line's baseline at y."""
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else line_height:.1f}">{_t(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}"{attrs}>{spans}</text>'


def _role(title: str) -> str:
    """An image named by its <title>; an untitled chart is named by what holds it (a page's {% chart %}
    wrapper: role="img" with an aria-label), so it is hidden from assistive technology itself."""
    return 'role="img"' if title else 'aria-hidden="true"'


def _svg(width: float, height: float, body: list[str], title: str = "", style: Style = PDF) -> str:
    w, h = round(width), round(height)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="{_t(style.font)}" font-size="{style.size:g}" {_role(title)}>'
    )
    return head + _title(title) + "".join(body) + "</svg>"


def nice_step(maximum: float, count: int = 5) -> float:
    """A round grid step (1, 2, 2.5 or 5 times a power of ten) giving about `count` steps up to `maximum`."""
    raw = maximum / count if maximum > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if raw <= m * power * 1.0000001)


def _ticks(maximum: float, step: float) -> list[float]:
    return [i * step for i in range(int(maximum / step + 1e-9) + 1)]


def _tick_text(value: float, style: Style) -> str:
    return style.number(value, 0 if float(value).is_integer() else 1)


def _legend(items: Sequence[tuple[str, str]], x0: float, y: float, width: float, style: Style):
    """A swatch and name per (name, colour), wrapping within `width`: (markup, the y below it)."""
    body: list[str] = []
    s, x = style.size, x0
    for name, colour in items:
        item = s * 2.4 + len(name) * s * 0.6
        if x > x0 and x + item > x0 + width:
            x, y = x0, y + s * 1.6
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{s:.1f}" height="{s:.1f}" fill="{colour}"/>'
            f'<text x="{x + s * 1.4:.1f}" y="{y + s * 0.9:.1f}">{_t(name)}</text>'
        )
        x += item
    return body, y + s * 1.6


def _x_grid(x0: float, plot_w: float, top: float, bottom: float, maximum: float, step: float, style: Style):
    """Vertical grid lines with their values under the plot."""
    body = []
    for tick in _ticks(maximum, step):
        x = x0 + plot_w * tick / maximum
        body.append(
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="#e0e0e0"/>'
            f'<text x="{x:.1f}" y="{bottom + style.size * 1.2:.1f}" text-anchor="middle" fill="#616161">'
            f"{_tick_text(tick, style)}</text>"
        )
    return body


def _y_grid(left: float, right: float, top: float, plot_h: float, maximum: float, step: float, style: Style):
    """Horizontal grid lines with their values left of the plot."""
    body = []
    for tick in _ticks(maximum, step):
        y = top + plot_h * (1 - tick / maximum)
        body.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="#e0e0e0"/>'
            f'<text x="{left - 4:.1f}" y="{y + style.size * 0.35:.1f}" text-anchor="end" fill="#616161">'
            f"{_tick_text(tick, style)}</text>"
        )
    return body


def empty_chart(message: str, *, width: int = 480, height: int = 110, style: Style = PDF) -> str:
    """A chart with nothing to draw, saying why."""
    lines = wrap_words(message, 60)
    y = height / 2 - (len(lines) - 1) * style.size * 0.6
    text = _lines(width / 2, y, lines, style.size * 1.25, ' text-anchor="middle" fill="#6c757d"')
    return _svg(width, height, [text], "", style)


# --- charts -----------------------------------------------------------------------------------------------


def _hbar(x0: float, y: float, w: float, bar_h: float, colour: str, text: str, tip: str, line_x, style):
    """One horizontal bar from x0, `w` long, with its value label placed clear of the reference line."""
    spot = place_value_label(x0, x0 + w, text_width(text, style.size), line_x)
    ink = f' fill="{_ink_on(colour)}"' if spot.inside else ""
    baseline = y + bar_h / 2 + style.size * 0.35
    return (
        _mark("rect", f'x="{x0}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" fill="{colour}"', tip)
        + f'<text x="{spot.x:.1f}" y="{baseline:.1f}" text-anchor="{spot.anchor}"{ink}>{_t(text)}</text>'
    )


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
    tips: Sequence[str] | None = None,
    texts: Sequence[str] | None = None,
    step: float = 20.0,
    series: str = "",
    style: Style = PDF,
) -> str:
    """Horizontal bars, one per (label, value), in the order given; a missing value draws no bar.

    `reference` draws a dashed vertical line (e.g. the national average) labelled at the top; no value
    label crosses it (place_value_label). `tips`: each bar's tooltip; `texts`: its value label.
    """
    gap, s = 4, style.size
    top = s * 1.6 if reference else 4
    plot_w = width - label_width - 50
    height = top + len(items) * (bar_height + gap) + s * 1.8
    axis = height - s * 1.6
    line_x = label_width + plot_w * max(0.0, min(reference[1], maximum)) / maximum if reference else None
    body = _x_grid(label_width, plot_w, top, axis, maximum, step, style)
    marks: list[str] = []
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_height + gap)
        body.append(
            f'<text x="{label_width - 6}" y="{y + bar_height / 2 + s * 0.35:.1f}" text-anchor="end">'
            f"{_t(cut(label, max_label))}</text>"
        )
        if not missing(value):
            text = texts[i] if texts else style.number(value, decimals)
            w = max(0.0, min(value, maximum)) / maximum * plot_w
            colour = colours[i] if colours else SERIES_COLOURS[0]
            marks.append(
                _hbar(label_width, y, w, bar_height, colour, text, tips[i] if tips else "", line_x, style)
            )
    body.append(_group(series, marks))
    if reference:
        name, value = reference
        body.append(
            f'<line x1="{line_x:.1f}" y1="{top - 2}" x2="{line_x:.1f}" y2="{axis:.1f}" stroke="#212121" '
            f'stroke-width="1.2" stroke-dasharray="4 3"/>'
            f'<text x="{line_x:.1f}" y="{top - 5}" text-anchor="middle" font-size="{s * 0.9:g}">'
            f"{_t(name)} {style.number(value, 2)}</text>"
        )
    return _svg(width, height, body, title, style)


def stacked_hbars(
    rows: Sequence[tuple[str, Sequence[int]]],
    legend: Sequence[tuple[str, str]],
    *,
    width: int = 640,
    label_width: int = 200,
    bar_height: int = 14,
    max_label: int = 28,
    title: str = "",
    style: Style = PDF,
) -> str:
    """One horizontal bar per (label, counts), split into the legend's (name, colour) segments in order,
    the legend on top; each segment's tooltip says row, name and count."""
    gap, s = 4, style.size
    legend_body, top = _legend(legend, 0, 2, width, style)
    plot_w = width - label_width - 20
    step = max(1.0, nice_step(max((sum(c) for _, c in rows), default=1)))
    maximum = step * math.ceil(max((sum(c) for _, c in rows), default=1) / step)
    height = top + len(rows) * (bar_height + gap) + s * 1.8
    body = legend_body + _x_grid(label_width, plot_w, top, height - s * 1.6, maximum, step, style)
    starts = [0.0] * len(rows)
    for j, (name, colour) in enumerate(legend):
        marks = []
        for i, (label, counts) in enumerate(rows):
            y, w = top + i * (bar_height + gap), plot_w * counts[j] / maximum
            if counts[j]:
                x = label_width + starts[i]
                marks.append(
                    _mark(
                        "rect",
                        f'x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour}"',
                        f"{label} · {name}: {counts[j]}",
                    )
                )
                if w > text_width(str(counts[j]), s) + 4:
                    marks.append(
                        f'<text x="{x + w / 2:.1f}" y="{y + bar_height / 2 + s * 0.35:.1f}" '
                        f'text-anchor="middle" fill="{_ink_on(colour)}">{counts[j]}</text>'
                    )
            starts[i] += w
        body.append(_group(name, marks))
    for i, (label, _counts) in enumerate(rows):
        y = top + i * (bar_height + gap) + bar_height / 2 + s * 0.35
        body.append(
            f'<text x="{label_width - 6}" y="{y:.1f}" text-anchor="end">{_t(cut(label, max_label))}</text>'
        )
    return _svg(width, height, body, title, style)


def radar_chart(
    axes: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    size: int = 340,
    maximum: float = 100.0,
    title: str = "",
    colours: Sequence[str] = SERIES_COLOURS,
    label_room: int = 80,
    wrap: int = 0,
    style: Style = PDF,
) -> str:
    """A radar (spider) chart: one polygon per (name, values), axes clockwise from the top, a dot with a
    tooltip per value. `wrap`: axis names broken into lines of about that many characters."""
    n, s = len(axes), style.size
    legend_h = s * 1.6 * len(series) + 6
    width, height = size + 2 * label_room, size - 30 + legend_h
    cx, cy, r = width / 2, size / 2 - 10, size / 2 - 50

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        k = max(0.0, min(value, maximum)) / maximum
        return cx + r * k * math.cos(angle), cy + r * k * math.sin(angle)

    body = _radar_grid(n, point, maximum, s)
    for i, name in enumerate(axes):
        x, y = point(i, maximum)
        body.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#bdbdbd"/>')
        lx, ly = point(i, maximum * 1.12)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        lines = wrap_words(name, wrap) if wrap else [name]
        if ly < cy - 1:  # above the centre: the lines grow upwards
            ly -= (len(lines) - 1) * s * 1.1
        body.append(_lines(lx, ly + s * 0.3, lines, s * 1.1, f' text-anchor="{anchor}"'))
    for k, (name, values) in enumerate(series):
        colour = colours[k % len(colours)]
        body.append(_radar_series(name, values, axes, colour, k, point, style))
        ly = cy + r + s * 3.2 + k * s * 1.6
        body.append(
            f'<rect x="{width / 2 - 80:.1f}" y="{ly:.1f}" width="{s * 1.2:g}" height="{s:g}" '
            f'fill="{colour}"/>'
            f'<text x="{width / 2 - 80 + s * 1.7:.1f}" y="{ly + s * 0.9:.1f}">{_t(name)}</text>'
        )
    return _svg(width, height, body, title, style)


def _radar_grid(n: int, point, maximum: float, size: float) -> list[str]:
    body = []
    for level in (20, 40, 60, 80, 100):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, maximum * level / 100) for i in range(n)))
        body.append(f'<polygon points="{pts}" fill="none" stroke="#e0e0e0" stroke-width="1"/>')
        if level < 100:  # the 100 ring's label would sit under the first axis name
            x, y = point(0, maximum * level / 100)
            body.append(
                f'<text x="{x + 3:.1f}" y="{y + 3:.1f}" font-size="{size * 0.8:g}" fill="#9e9e9e">'
                f"{level}</text>"
            )
    return body


def _radar_series(name, values, axes, colour: str, k: int, point, style: Style) -> str:
    """One series' polygon (when every axis has a value) and its dots with tooltips."""
    present = [(i, v) for i, v in enumerate(values) if not missing(v)]
    marks = []
    if len(present) == len(axes) and axes:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in present))
        dash = "" if k == 0 else ' stroke-dasharray="5 3"'
        marks.append(
            f'<polygon points="{coords}" fill="{colour}" fill-opacity="{"0.18" if k == 0 else "0"}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
    for i, v in present:
        x, y = point(i, v)
        tip = f"{name} · {axes[i]}: {style.number(v, 2)}"
        marks.append(
            _mark("circle", f'cx="{x:.1f}" cy="{y:.1f}" r="{3.5 if k == 0 else 2.5}" fill="{colour}"', tip)
        )
    return _group(name, marks)


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
                _mark(
                    "rect",
                    f'x="{x:.1f}" y="0" width="{w:.1f}" height="26" fill="{colours.get(label, NEUTRAL)}"',
                    f"{label}: {n}",
                )
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


@dataclass(frozen=True)
class Frame:
    """A plot area inside a chart: left, top, width and height, and the value at its top."""

    left: float
    top: float
    width: float
    height: float
    maximum: float

    def y(self, value: float) -> float:
        return self.top + self.height * (1 - max(0.0, min(value, self.maximum)) / self.maximum)


def _x_labels(
    labels: Sequence[str], centres: Sequence[float], y: float, wrap: int, style: Style
) -> list[str]:
    return [
        _lines(x, y, wrap_words(label, wrap), style.size * 1.1, ' text-anchor="middle"')
        for label, x in zip(labels, centres, strict=True)
    ]


def _bottom_room(labels: Sequence[str], wrap: int, legend: Sequence[tuple[str, str]], width: float, style):
    """Height under a plot for its wrapped x labels and legend: (labels' height, total height)."""
    lines = max((len(wrap_words(label, wrap)) for label in labels), default=1)
    room = lines * style.size * 1.1 + style.size * 0.6
    legend_h = _legend(legend, 0, 0, width, style)[1] + 4 if legend else 0
    return room, room + legend_h


def column_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], Sequence[str]]],
    *,
    width: int = 560,
    height: int = 260,
    maximum: float | None = None,
    decimals: int = 0,
    tip_decimals: int = 0,
    target: tuple[str, Sequence[float], str] | None = None,
    wrap: int = 12,
    title: str = "",
    style: Style = PDF,
) -> str:
    """Vertical bars: a group per category, a bar per (name, values, colour per category) with its value
    on top (`decimals`; `tip_decimals` in its tooltip); `target`: (name, values, colour) drawn as a
    dashed line over the groups (the values then sit at the bars' base, clear of it). A legend when there
    is more than one series or a target."""
    s = style.size
    legend = [(name, colours[-1]) for name, _v, colours in series] if len(series) > 1 or target else []
    legend += [(target[0], target[2])] if target else []
    labels_h, bottom = _bottom_room(categories, wrap, legend, width, style)
    top = s * 1.6
    highest = max(
        [v for _n, vs, _c in series for v in vs if not missing(v)] + list(target[1] if target else []) + [0]
    )
    if maximum is None:
        step = nice_step(highest * 1.1 or 1)
        maximum = step * max(1, math.ceil(highest * 1.1 / step))
    else:
        step = nice_step(maximum)
    plot = Frame(s * 3.2, top, width - s * 3.2 - 8, height - top - bottom, maximum)
    body = _y_grid(plot.left, plot.left + plot.width, top, plot.height, maximum, step, style)
    slot = plot.width / max(len(categories), 1)
    centres = [plot.left + slot * (i + 0.5) for i in range(len(categories))]
    layout = _Columns(categories, centres, slot, slot * 0.8 / max(len(series), 1), plot, len(series) > 1)
    for k, (name, values, colours) in enumerate(series):
        body.append(
            _group(name, layout.bars(k, name, values, colours, (decimals, tip_decimals), bool(target), style))
        )
    if target:
        body.append(_target_line(target, categories, centres, slot, plot))
    body += _x_labels(categories, centres, top + plot.height + s * 1.2, wrap, style)
    if legend:
        body += _legend(legend, plot.left, top + plot.height + labels_h + 4, plot.width, style)[0]
    return _svg(width, height, body, title, style)


@dataclass(frozen=True)
class _Columns:
    """Where a column chart's bars go: category centres, slot and bar widths, the plot area."""

    categories: Sequence[str]
    centres: Sequence[float]
    slot: float
    bar_w: float
    plot: Frame
    many: bool  # more than one series: smaller value labels, the series named in tooltips

    def bars(self, k: int, name: str, values, colours, decimals: tuple[int, int], base: bool, style: Style):
        """Series `k`'s bars with their value labels and tooltips."""
        marks, size = [], style.size * (0.85 if self.many else 1)
        for i, value in enumerate(values):
            if missing(value):
                continue
            x, y = self.centres[i] - self.slot * 0.4 + k * self.bar_w, self.plot.y(value)
            tip = f"{self.categories[i]}: {style.number(value, decimals[1])}" + (
                f" ({name})" if self.many else ""
            )
            box = f'x="{x:.1f}" y="{y:.1f}" width="{self.bar_w * 0.92:.1f}"'
            marks.append(
                _mark(
                    "rect",
                    f'{box} height="{self.plot.top + self.plot.height - y:.1f}" fill="{colours[i]}"',
                    tip,
                )
            )
            text = style.number(value, decimals[0])
            marks.append(_column_label(x + self.bar_w * 0.46, y, self.plot, colours[i], text, size, base))
        return marks


def _column_label(x: float, y: float, plot: Frame, colour: str, text: str, size: float, base: bool) -> str:
    """A column's value: inside its top (or its base, `base`) when the column is tall enough, else
    above it."""
    bottom = plot.top + plot.height
    inside = bottom - y > size * 1.8
    ink = f' fill="{_ink_on(colour)}"' if inside else ""
    ty = (bottom - size * 0.5 if base else y + size * 1.2) if inside else y - 3
    return f'<text x="{x:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="{size:g}"{ink}>{text}</text>'


def _target_line(target, categories, centres, slot: float, plot: Frame) -> str:
    name, values, colour = target
    pts = " ".join(f"{x:.1f},{plot.y(v):.1f}" for x, v in zip(centres, values, strict=True))
    marks = [
        f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="5 3"/>'
    ]
    for x, v, cat in zip(centres, values, categories, strict=True):
        y = plot.y(v)
        marks.append(
            _mark(
                "line",
                f'x1="{x - slot * 0.3:.1f}" y1="{y:.1f}" x2="{x + slot * 0.3:.1f}" '
                f'y2="{y:.1f}" stroke="{colour}" stroke-width="4"',
                f"{cat}: {v:g} ({name})",
            )
        )
    return _group(name, marks)


def lines_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    *,
    width: int = 640,
    height: int = 200,
    maximum: float = 100.0,
    title: str = "",
    wrap: int = 10,
    legend: bool = True,
    style: Style = PDF,
) -> str:
    """Lines over labelled x positions (e.g. years), one per (name, values, colour), the first with its
    values written over its dots; a dot with a tooltip per value; missing values are skipped."""
    s = style.size
    keys = [(name, colour) for name, _v, colour in series] if legend else []
    labels_h, bottom = _bottom_room(labels, wrap, keys, width, style)
    plot = Frame(s * 3.6, s * 1.6, width - s * 3.6 - 20, height - s * 1.6 - bottom, maximum)
    body = _y_grid(
        plot.left,
        plot.left + plot.width,
        plot.top,
        plot.height,
        maximum,
        20 if maximum == 100 else nice_step(maximum),
        style,
    )
    centres = [plot.left + plot.width * (i + 0.5) / max(len(labels), 1) for i in range(len(labels))]
    body += _x_labels(labels, centres, plot.top + plot.height + s * 1.2, wrap, style)
    for k, (name, values, colour) in enumerate(series):
        points = [(x, v, lab) for x, v, lab in zip(centres, values, labels, strict=True) if not missing(v)]
        body.append(_group(name, _line(name, points, colour, k == 0, plot, style)))
    if keys:
        body += _legend(keys, plot.left, plot.top + plot.height + labels_h + 4, plot.width, style)[0]
    return _svg(width, height, body, title, style)


def _line(name: str, points, colour: str, first: bool, plot: Frame, style: Style) -> list[str]:
    """One line through (x, value, label) points: dots with tooltips, the first line's values written."""
    coords = [(x, plot.y(v), v, label) for x, v, label in points]
    marks = []
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v, _l in coords)
        marks.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{3 if first else 2}"/>'
        )
    for x, y, value, label in coords:
        tip = f"{name + ' · ' if name else ''}{label}: {style.number(value, 2)}"
        marks.append(
            _mark("circle", f'cx="{x:.1f}" cy="{y:.1f}" r="{4 if first else 3}" fill="{colour}"', tip)
        )
        if first:
            marks.append(
                f'<text x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle">{style.number(value, 2)}</text>'
            )
    return marks


def line_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    width: int = 640,
    height: int = 200,
    maximum: float = 100.0,
    title: str = "",
) -> str:
    """A single line over labelled x positions (e.g. the national average by year)."""
    values = [v for _l, v in points]
    return lines_chart(
        [label for label, _v in points],
        [("", values, SERIES_COLOURS[0])],
        width=width,
        height=height,
        maximum=maximum,
        title=title,
        legend=False,
    )


def heat_table(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    width: int = 640,
    label_width: int = 170,
    cell_height: int = 26,
    wrap: int = 12,
    max_label: int = 30,
    decimals: int = 1,
    title: str = "",
    style: Style = PDF,
) -> str:
    """Scores as a table of coloured cells (rows × columns, SCORE_SCALE), each with its value and a
    tooltip naming row and column; column names on top, wrapped. A missing value leaves a pale cell."""
    s = style.size
    header = max((len(wrap_words(c, wrap)) for c in columns), default=1) * s * 1.1 + s * 0.6
    cell_w = (width - label_width) / max(len(columns), 1)
    body = [
        _lines(label_width + cell_w * (j + 0.5), s, wrap_words(c, wrap), s * 1.1, ' text-anchor="middle"')
        for j, c in enumerate(columns)
    ]
    for i, row in enumerate(rows):
        y = header + i * cell_height
        marks = [
            f'<text x="{label_width - 6}" y="{y + cell_height / 2 + s * 0.35:.1f}" text-anchor="end">'
            f"{_t(cut(row, max_label))}</text>"
        ]
        for j, column in enumerate(columns):
            value, x = values[i][j], label_width + j * cell_w
            box = f'x="{x + 1:.1f}" y="{y + 1:.1f}" width="{cell_w - 2:.1f}" height="{cell_height - 2}"'
            if missing(value):  # a pale gap, not a value mark: outside the row's series
                body.append(f'<rect {box} fill="#f1f3f5"/>')
                continue
            colour = score_colour(value)
            marks.append(
                _mark("rect", f'{box} fill="{colour}"', f"{row} · {column}: {style.number(value, 2)}")
            )
            marks.append(
                f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_height / 2 + s * 0.35:.1f}" '
                f'text-anchor="middle" fill="{_ink_on(colour)}">{style.number(value, decimals)}</text>'
            )
        body.append(_group(row, marks))
    return _svg(width, header + len(rows) * cell_height + 4, body, title, style)


def dumbbell_chart(
    rows: Sequence[tuple[str, float, float]],
    names: tuple[str, str],
    *,
    colours: tuple[str, str] = ("#9ec5fe", SERIES_COLOURS[0]),
    width: int = 640,
    label_width: int = 200,
    row_height: int = 20,
    maximum: float = 100.0,
    max_label: int = 30,
    title: str = "",
    style: Style = PDF,
) -> str:
    """Two values per row (label, before, after) as two dots joined by a line, in the order given;
    the legend on top, tooltips with the change."""
    s = style.size
    legend, top = _legend(list(zip(names, colours, strict=True)), 0, 2, width, style)
    plot_w = width - label_width - 16
    height = top + len(rows) * row_height + s * 1.8

    def x(v: float) -> float:
        return label_width + plot_w * max(0.0, min(v, maximum)) / maximum

    body = legend + _x_grid(label_width, plot_w, top, height - s * 1.6, maximum, 20, style)
    before, after = [], []
    for i, (label, a, b) in enumerate(rows):
        y = top + i * row_height + row_height / 2
        body.append(
            f'<text x="{label_width - 6}" y="{y + s * 0.35:.1f}" text-anchor="end">'
            f"{_t(cut(label, max_label))}</text>"
            f'<line x1="{x(a):.1f}" y1="{y:.1f}" x2="{x(b):.1f}" y2="{y:.1f}" stroke="#adb5bd" '
            f'stroke-width="2"/>'
        )
        before.append(
            _mark(
                "circle",
                f'cx="{x(a):.1f}" cy="{y:.1f}" r="4.5" fill="{colours[0]}"',
                f"{label} · {names[0]}: {style.number(a, 2)}",
            )
        )
        change = ("+" if b >= a else "") + style.number(b - a, 2)
        after.append(
            _mark(
                "circle",
                f'cx="{x(b):.1f}" cy="{y:.1f}" r="5" fill="{colours[1]}"',
                f"{label} · {names[1]}: {style.number(b, 2)} ({change})",
            )
        )
    body += [_group(names[0], before), _group(names[1], after)]
    return _svg(width, height, body, title, style)


# Longitude and latitude around Indonesia: west, east, south, north.
INDONESIA = (94.5, 141.5, -11.5, 6.5)
