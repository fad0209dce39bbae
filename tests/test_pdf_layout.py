"""PDF page layout: value labels clear of the dashed national line, and no table row alone on a page."""

import datetime
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from weasyprint.formatting_structure import boxes

from reports import pdf, svg
from reports.ranking import national_ranking

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SVG = "{http://www.w3.org/2000/svg}"
LABELS = ["Tidak Tanggap", "Kurang Tanggap", "Cukup Tanggap", "Tanggap", "Sangat Tanggap"]
INFO = pdf.PeriodInfo(
    year=2031,
    name="IKOTAN 2031",
    is_synthetic=True,
    variables=[pdf.Variable("KK", "Ketahanan Keluarga"), pdf.Variable("KL", "Kelembagaan")],
    categories=LABELS,
)
# hbar_chart's plot area as the national province chart draws it: 200 px of names, 390 px of bars
START, PLOT = 200.0, 390.0


def _x(value: float) -> float:
    return START + PLOT * value / 100


@pytest.mark.parametrize("reference", [0.0, 0.4, 3.0, 8.0, 50.0, 62.4, 71.17, 97.5, 100.0])
def test_no_value_label_crosses_the_reference_line(reference):
    line = _x(reference)
    for step in range(0, 10001, 3):  # every 0.03 points from 0 to 100
        value = step / 100
        for text in (svg._fmt(value), svg._fmt(value, 3), "100,00"):
            spot = svg.place_value_label(START, _x(value), svg.text_width(text), line)
            assert not spot.left - 2 < line < spot.right + 2, (value, text, spot)
            assert spot.right - spot.left == pytest.approx(svg.text_width(text))
            if spot.inside:  # within the bar, clear of both ends
                assert spot.left > START and spot.right < _x(value)
            else:  # never over its own bar
                assert spot.left >= _x(value)


def test_labels_stay_right_of_their_bars_without_a_line_or_far_from_it():
    assert svg.place_value_label(START, _x(40), 30) == svg.LabelPlacement(
        _x(40) + 4, "start", False, _x(40) + 4, _x(40) + 34
    )
    assert not svg.place_value_label(START, _x(40), 30, _x(80)).inside
    assert not svg.place_value_label(START, _x(72), 30, _x(71.17)).inside  # past the line: outside
    just_below = svg.place_value_label(START, _x(70.5), 30, _x(71.17))
    assert just_below.inside and just_below.anchor == "end"
    # a bar too short to hold its label: the label goes past the line
    short = svg.place_value_label(START, _x(2), 30, _x(4))
    assert not short.inside and short.left > _x(4)


@pytest.mark.skipif(not DEJAVU.exists(), reason="fonts-dejavu is not installed")
def test_text_width_is_never_narrower_than_dejavu_sans():
    font = TTFont(DEJAVU)
    cmap, advances = font.getBestCmap(), font["hmtx"].metrics
    per_em = font["head"].unitsPerEm
    for text in ("0,00", "100,00", "71,17", "–", "8,888", "Nasional 62,40", "Wamena"):
        real = sum(advances[cmap[ord(ch)]][0] for ch in text) / per_em * 10
        assert real <= svg.text_width(text), text
        if text[0].isdigit():  # value labels: close to the truth, so that inside ones fit their bars
            assert svg.text_width(text) <= real * 1.02, text


def _boxes(chart: str) -> tuple[float, list[tuple[str, float, float, str | None]]]:
    """The dashed line's x and every value label's (text, left, right, fill) in a drawn hbar chart."""
    root = ET.fromstring(chart)  # noqa: S314 - our own SVG string
    line = next(e for e in root.iter(f"{SVG}line") if e.get("stroke-dasharray"))
    labels = []
    for e in root.iter(f"{SVG}text"):
        if re.fullmatch(r"\d+,\d+", e.text or "") and e.get("font-size") is None:
            x, width = float(e.get("x")), svg.text_width(e.text)
            left = x - width if e.get("text-anchor") == "end" else x
            labels.append((e.text, left, left + width, e.get("fill")))
    return float(line.get("x1")), labels


def test_drawn_chart_keeps_labels_off_the_national_line():
    values = [75.0, 71.9, 71.3, 71.17, 71.0, 70.6, 70.2, 69.5, 68.0, 40.0]
    colours = ["#f9a825", "#2e7d32"] * 5
    chart = svg.hbar_chart(
        [(f"Provinsi {i}", v) for i, v in enumerate(values)],
        colours=colours,
        bar_height=11,
        reference=("Nasional", 71.17),
        label_width=200,
    )
    line, labels = _boxes(chart)
    assert [text for text, *_ in labels] == [svg._fmt(v) for v in values]
    for text, left, right, _fill in labels:
        assert not left - 2 < line < right + 2, text
    fills = {text: fill for text, _, _, fill in labels}
    assert fills["75,00"] is None and fills["40,00"] is None  # plain labels right of their bars
    assert fills["70,60"] == "#fff" and fills["70,20"] == "#212121"  # inside: white on green, dark on yellow


def _province_frame(n: int) -> pd.DataFrame:
    rows = []
    for i in range(n):
        value = float(40 + (i * 7) % 55)
        rows.append(
            {
                "collection_id": i,
                "regency_id": i,
                "code": f"35{i:02d}",
                "name": f"Kabupaten Contoh {i}",
                "province_code": "35",
                "province": "Jawa Timur",
                "kind": "kabupaten",
                "state": "verified",
                "state_label": "Terverifikasi",
                "quota_met": True,
                "respondents": 180,
                "current": value,
                "submitted": value,
                "reported": value,
                "category": "Tanggap",
                "computed_at": None,
                "KK": value,
                "KL": value,
            }
        )
    return pd.DataFrame(rows)


def _province_html(n: int) -> str:
    frame = _province_frame(n)
    ctx = pdf.province_context(
        INFO,
        {"code": "35", "name": "Jawa Timur"},
        frame,
        national_ranking(frame, None, variables=["KK", "KL"]),
        national_frame_average={"overall": 60.0, "KK": 60.0, "KL": 60.0},
        today=datetime.date(2031, 12, 1),
    )
    return pdf.report_html("province.html", ctx)


def _table_pieces(html: str) -> list[list[tuple[int, bool, int]]]:
    """Per laid-out page: (table number, header drawn, body rows) of every piece of a table on it.
    Reads WeasyPrint's box tree (Page._page_box), the layout it draws the PDF from."""
    tables: dict[object, int] = {}
    pages = []
    for page in pdf.layout(html).pages:
        pieces = []
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.TableBox):
                groups = [g for g in box.children if isinstance(g, boxes.TableRowGroupBox)]
                number = tables.setdefault(box.element, len(tables))
                header = any(g.is_header for g in groups)
                rows = sum(len(g.children) for g in groups if not (g.is_header or g.is_footer))
                pieces.append((number, header, rows))
            else:
                stack.extend(reversed(getattr(box, "children", [])))
        pages.append(pieces)
    return pages


# Row counts that left a row alone before the rule: 16 (the heat map's last row alone on the last page),
# 24 (its first row alone under the header at the foot of a page), 28 (the status table's last row).
@pytest.mark.parametrize("kabkota", [16, 24, 28])
def test_no_table_leaves_a_row_alone_on_a_page(kabkota):
    pages = _table_pieces(_province_html(kabkota))
    pieces = [piece for page in pages for piece in page]
    totals: dict[int, int] = {}
    for number, _header, rows in pieces:
        totals[number] = totals.get(number, 0) + rows
    assert totals[1] == totals[2] == kabkota  # status table and heat map, every row drawn once
    for number, header, rows in pieces:
        assert rows >= 2, (kabkota, pages)
        if number:  # every page of a kab/kota table repeats its header
            assert header
    last = [rows for number, _header, rows in pages[-1] if number == 2]
    assert last and last[0] >= 2  # the heat map ends on the last page with more than one row


def test_the_row_rule_is_what_keeps_the_last_row_company():
    html = _province_html(16)
    for rule in (
        "tbody tr:first-child { break-after: avoid; }",
        "tbody tr:last-child { break-before: avoid; }",
    ):
        assert rule in html
        html = html.replace(rule, "")
    pages = _table_pieces(html)
    assert [rows for _number, _header, rows in pages[-1]] == [1]  # as it was: one orphan row
