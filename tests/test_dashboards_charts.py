"""reports.charts and reports.summaries: pure DataFrame -> figure (inline SVG) / frame functions (no
database)."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from django.utils import translation

from reports import charts, summaries, svg
from tests.chart_marks import NS, numbers, series

FIVE = ["Tidak Tanggap", "Kurang Tanggap", "Cukup Tanggap", "Tanggap", "Sangat Tanggap"]


def _labels(chart: str) -> list[str]:
    """The text of every <text> element (tspans joined by a space)."""
    root = ET.fromstring(chart)  # noqa: S314 - our own SVG
    return [" ".join(t.strip() for t in e.itertext() if t.strip()) for e in root.iter(f"{NS}text")]


def test_indicator_bars_weakest_on_top_with_phone_labels():
    long = "Komunikasi keluarga yang sangat panjang sekali namanya"
    frame = pd.DataFrame(
        {
            "name": ["Tim Terpadu", long, "Aturan"],
            "variable": ["KL", "KK", "KK"],
            "score": [70.0, 40.0, np.nan],
        }
    )
    fig = charts.indicator_bars(frame)
    tips = series(fig.wide)[""]
    assert tips == [f"{long} (KK): 40,00", "Tim Terpadu (KL): 70,00"]  # no score: not drawn; weakest first
    wide, narrow = _labels(fig.wide), _labels(fig.narrow)
    assert wide.index(svg.cut(long, 32)) < wide.index("Tim Terpadu")
    assert svg.cut(long, 16) in narrow and long not in narrow and len(svg.cut(long, 16)) == 16


def test_empty_inputs_give_a_message_not_an_error():
    for fig in (
        charts.indicator_bars(pd.DataFrame(columns=["name", "variable", "score"])),
        charts.heatmap(pd.DataFrame()),
        charts.trend(pd.DataFrame({"Nasional": pd.Series(dtype=float)})),
        charts.category_distribution(pd.Series(dtype=int), FIVE),
        charts.target_by_year(pd.DataFrame(columns=["year", "reached", "target"])),
    ):
        for chart in (fig.wide, fig.narrow):
            assert not series(chart) and _labels(chart)[0].startswith("Belum ada")


def test_radar_draws_each_series_and_skips_empty_ones():
    values = pd.DataFrame(
        {"Kota Malang": [80.0, 60.0, 70.0], "Jawa Timur": [np.nan] * 3, "Nasional": [50.0, 50.0, 50.0]},
        index=["Ketahanan Keluarga", "Hukum", "Kelembagaan"],
    )
    fig = charts.radar(values)
    drawn = series(fig.wide)
    assert list(drawn) == ["Kota Malang", "Nasional"]
    assert drawn["Kota Malang"][0] == "Kota Malang · Ketahanan Keluarga: 80,00"
    assert numbers(drawn["Nasional"]) == [50.0, 50.0, 50.0]
    assert fig.wide.count("<polygon") == 5 + 2  # grid rings + one closed line per drawn series
    assert "Ketahanan Keluarga" in _labels(fig.wide)  # axis names kept whole, wrapped in lines


def test_category_and_score_colours_red_to_green():
    colors = svg.band_colours(FIVE)
    assert list(colors) == FIVE and len(set(colors.values())) == 5
    assert svg.band_colours([]) == {}
    assert svg.score_colour(0) == "#b71c1c" and svg.score_colour(100) == "#1b5e20"
    assert svg.score_colour(50) == "#f9a825" and svg.score_colour(float("nan")) == svg.NEUTRAL


def test_numbers_follow_the_language():
    with translation.override("id"):
        assert charts.num(1234.567, 2) == "1.234,57"
    with translation.override("en"):
        assert charts.num(1234.567, 2) == "1,234.57"
    assert charts.num(float("nan")) == ""


def test_labels_wrap_and_cut():
    assert svg.wrap_words("Ketahanan Masyarakat") == ["Ketahanan", "Masyarakat"]
    assert svg.wrap_words("Hukum") == ["Hukum"]
    assert svg.cut("x" * 50, 10) == "x" * 9 + "…"


def test_target_category_is_tanggap_or_above():
    assert summaries.target_labels(FIVE) == ["Tanggap", "Sangat Tanggap"]
    assert summaries.target_labels(["Cukup Tanggap", "Tanggap", "Sangat Tanggap"]) == [
        "Tanggap",
        "Sangat Tanggap",
    ]
    assert summaries.target_labels(["Rendah", "Sedang", "Tinggi"]) == ["Sedang", "Tinggi"]  # no "Tanggap"
    assert summaries.target_labels([]) == []


def test_target_by_year_counts_ranked_in_target_categories():
    categories = pd.DataFrame(
        [(2024, "Tanggap", 3), (2024, "Cukup Tanggap", 5), (2025, "Sangat Tanggap", 2), (2025, "Tanggap", 4)],
        columns=["year", "category", "n"],
    )
    periods = [{"year": 2025, "target_count": 5}, {"year": 2024, "target_count": 4}]
    out = summaries.target_by_year(categories, periods, FIVE)
    assert out.to_dict("list") == {"year": [2024, 2025], "reached": [3, 6], "target": [4, 5]}


def _frame():
    return pd.DataFrame(
        {
            "code": ["1", "2", "3"],
            "name": ["A", "B", "C"],
            "province_code": ["35", "35", "15"],
            "province": ["Jatim", "Jatim", "Jambi"],
            "state": ["verified", "submitted", "final"],
            "current": [80.0, 65.0, 55.0],
            "category": ["Tanggap", "Tanggap", "Cukup Tanggap"],
            "KK": [90.0, 60.0, 50.0],
        }
    )


def test_only_verified_scores_count_in_categories_and_averages():
    frame = _frame()
    assert summaries.category_counts(frame, FIVE).to_dict() == {
        "Tidak Tanggap": 0,
        "Kurang Tanggap": 0,
        "Cukup Tanggap": 1,
        "Tanggap": 1,
        "Sangat Tanggap": 0,
    }
    provinces = summaries.province_averages(frame, ["KK"]).set_index("province_code")
    assert provinces.loc["35", "overall"] == 80.0 and provinces.loc["35", "participants"] == 2
    assert provinces.loc["35", "n"] == 1
    by_province = summaries.category_by_province(frame, FIVE)
    assert by_province.loc["Jambi", "Cukup Tanggap"] == 1 and by_province.loc["Jatim", "Tanggap"] == 1


def test_year_over_year_compares_verified_scores_only():
    history = pd.DataFrame(
        {
            "year": [2024, 2024, 2024],
            "code": ["1", "2", "3"],
            "state": ["verified", "verified", "returned"],
            "overall": [70.0, 60.0, 50.0],
        }
    )
    out = summaries.year_over_year(_frame(), history, 2024).set_index("code")
    assert out.loc["1", "change"] == pytest.approx(10.0)
    assert pd.isna(out.loc["2", "change"])  # not verified this year
    assert pd.isna(out.loc["3", "previous"])  # last year's was not verified


def test_national_trend_weights_provinces_by_kab_kota():
    yearly = pd.DataFrame(
        {"year": [2024, 2024], "province_code": ["35", "15"], "n": [3, 1], "overall": [80.0, 40.0]}
    )
    assert summaries.national_trend(yearly).loc[2024] == pytest.approx(70.0)


def _every_chart():
    """One figure from every chart function, with data."""
    names = pd.DataFrame(
        {"name": ["A", "B"], "variable": ["KK", "KL"], "score": [40.0, 70.0], "gain": [1.5, 0.0]}
    )
    matrix = pd.DataFrame(
        {"Ketahanan Keluarga": [80.0, np.nan], "Hukum": [60.0, 50.0]},
        index=["Kota X", "Kabupaten Tulungagung"],
    )
    return [
        charts.radar(pd.DataFrame({"A": [80.0, 60.0, 70.0]}, index=["KK", "KM", "HK"])),
        charts.indicator_bars(names),
        charts.gains_bars(names),
        charts.group_heatmap(matrix),
        charts.trend(pd.DataFrame({"A": [60.0, 65.0], "B": [np.nan, 62.0]}, index=[2024, 2025]), {2024}),
        charts.heatmap(matrix, ["KK", "HK"]),
        charts.category_distribution(pd.Series({"Tanggap": 3}), FIVE),
        charts.comparison_bars(
            pd.DataFrame({"P": [70.0, 80.0], "N": [65.0, np.nan]}, index=["Indeks", "Ketahanan Keluarga"]),
            ["Indeks", "KK"],
        ),
        charts.change_dumbbell(
            pd.DataFrame({"name": ["Kabupaten Tulungagung"], "previous": [60.0], "current": [70.0]}),
            "2024",
            "2025",
        ),
        charts.provinces_ranked(
            pd.DataFrame({"province": ["Kepulauan Bangka Belitung"], "overall": [70.0], "n": [3]}), 65.0
        ),
        charts.category_by_province(
            pd.DataFrame({"Tanggap": [2], "Cukup Tanggap": [1]}, index=["Daerah Khusus Ibukota Jakarta"]),
            FIVE,
        ),
        charts.target_by_year(
            pd.DataFrame({"year": [2024, 2025], "reached": [3, 6], "target": [4, 5]}), 2025
        ),
        charts.empty("kosong"),
    ]


def test_every_chart_is_well_formed_svg_with_titles_and_no_style_attribute():
    for fig in _every_chart():
        for chart in (fig.wide, fig.narrow):
            root = ET.fromstring(chart)  # noqa: S314 - raises on markup that is not well-formed
            # Named by its <title> (role img), or hidden when untitled: a page's {% chart %} wrapper
            # (role img, aria-label) names it, so assistive technology meets one image, not two.
            titled = root.find(f"{NS}title") is not None
            assert root.get("role") == ("img" if titled else None) and root.get("viewBox")
            assert root.get("aria-hidden") == (None if titled else "true")
            assert not re.search(r"\sstyle=", chart)  # the CSP refuses style attributes
            for g in root.iter(f"{NS}g"):  # every value mark has a tooltip
                for mark in g:
                    if mark.tag in (f"{NS}rect", f"{NS}circle"):
                        assert mark.find(f"{NS}title") is not None, chart


def _left_edge(element, size: float) -> float:
    """Where an end-anchored or start-anchored label starts (0.6 em a character: system-ui's average
    advance is about 0.55 em)."""
    text = " ".join(t.strip() for t in element.itertext() if t.strip())
    x, anchor = float(element.get("x")), element.get("text-anchor", "start")
    width = len(text) * size * 0.6
    return x - width if anchor == "end" else (x - width / 2 if anchor == "middle" else x)


def test_phone_layout_labels_stay_inside_the_chart():
    """A narrow chart's row labels (names right-aligned to the bars) start inside its viewBox."""
    for fig in _every_chart():
        root = ET.fromstring(fig.narrow)  # noqa: S314
        size = float(root.get("font-size"))
        for element in root.iter(f"{NS}text"):
            if element.get("text-anchor") == "end" and not element.get("fill"):
                assert _left_edge(element, size) >= -1, (element.text, fig.narrow[:80])
