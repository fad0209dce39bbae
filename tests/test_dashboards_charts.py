"""reports.charts and reports.summaries: pure DataFrame -> figure / frame functions (no database)."""

import numpy as np
import pandas as pd
import pytest
from django.utils import translation

from reports import charts, summaries

FIVE = ["Tidak Tanggap", "Kurang Tanggap", "Cukup Tanggap", "Tanggap", "Sangat Tanggap"]


def test_indicator_bars_weakest_on_top_with_phone_labels():
    frame = pd.DataFrame(
        {
            "name": ["Tim Terpadu", "Komunikasi keluarga yang sangat panjang sekali namanya", "Aturan"],
            "variable": ["KL", "KK", "KK"],
            "score": [70.0, 40.0, np.nan],
        }
    )
    fig = charts.indicator_bars(frame)
    bar = fig.data[0]
    assert list(bar.x) == [40.0, 70.0]  # no score: not drawn
    assert bar.y[0].startswith("Komunikasi keluarga") and bar.y[0].endswith("…")
    assert fig.layout.yaxis.autorange == "reversed"  # first (weakest) at the top
    narrow = fig.layout.meta["narrow"]["yaxis"]
    assert narrow["tickvals"] == list(bar.y) and all(len(t) <= 20 for t in narrow["ticktext"])


def test_empty_inputs_give_a_message_not_an_error():
    for fig in (
        charts.indicator_bars(pd.DataFrame(columns=["name", "variable", "score"])),
        charts.heatmap(pd.DataFrame()),
        charts.trend(pd.DataFrame({"Nasional": pd.Series(dtype=float)})),
        charts.category_distribution(pd.Series(dtype=int), FIVE),
        charts.results_map(
            pd.DataFrame(columns=["name", "province", "longitude", "latitude", "overall", "category"])
        ),
        charts.target_by_year(pd.DataFrame(columns=["year", "reached", "target"])),
    ):
        assert not fig.data and fig.layout.annotations[0].text


def test_radar_closes_each_line_and_skips_empty_series():
    values = pd.DataFrame(
        {"Kota Malang": [80.0, 60.0, 70.0], "Jawa Timur": [np.nan] * 3, "Nasional": [50.0, 50.0, 50.0]},
        index=["Ketahanan Keluarga", "Hukum", "Kelembagaan"],
    )
    fig = charts.radar(values)
    assert [t.name for t in fig.data] == ["Kota Malang", "Nasional"]
    assert list(fig.data[0].r) == [80.0, 60.0, 70.0, 80.0]
    assert fig.data[0].theta[0] == "Ketahanan<br>Keluarga"


def test_map_is_a_plain_scatter_of_centroids_without_a_geo_base_map():
    frame = pd.DataFrame(
        {
            "name": ["Kota Malang", "Tanpa koordinat"],
            "province": ["Jawa Timur", "X"],
            "longitude": [112.63, None],
            "latitude": [-7.98, None],
            "overall": [78.2, 50.0],
            "category": ["Tanggap", "Cukup Tanggap"],
        }
    )
    fig = charts.results_map(frame)
    assert [t.type for t in fig.data] == ["scatter"]
    assert list(fig.data[0].x) == [112.63]
    assert fig.layout.yaxis.scaleanchor == "x"


def test_category_colours_red_to_green_and_one_per_band():
    colors = charts.category_colors(FIVE)
    assert list(colors) == FIVE and len(set(colors.values())) == 5
    assert charts.category_colors([]) == {}
    assert len(charts.score_colors([0, 50, 100, float("nan")])) == 4


def test_numbers_follow_the_language():
    with translation.override("id"):
        assert charts.num(1234.567, 2) == "1.234,57"
    with translation.override("en"):
        assert charts.num(1234.567, 2) == "1,234.57"
    assert charts.num(float("nan")) == ""


def test_wrap_and_short_labels():
    assert charts.wrap("Ketahanan Masyarakat") == "Ketahanan<br>Masyarakat"
    assert charts.wrap("Hukum") == "Hukum"
    assert charts.short("x" * 50, 10) == "x" * 9 + "…"
    assert charts.narrow_name("Kabupaten Tulungagung", 30) == "Kab. Tulungagung"


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
    """One figure from every chart function, with data (charts build unvalidated figures for speed)."""
    names = pd.DataFrame(
        {"name": ["A", "B"], "variable": ["KK", "KL"], "score": [40.0, 70.0], "gain": [1.5, 0.0]}
    )
    matrix = pd.DataFrame(
        {"Ketahanan Keluarga": [80.0, np.nan], "Hukum": [60.0, 50.0]}, index=["Kota X", "Kab Y"]
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
            pd.DataFrame({"P": [70.0, 80.0], "N": [65.0, np.nan]}, index=["Indeks", "KK"])
        ),
        charts.change_dumbbell(
            pd.DataFrame({"name": ["A"], "previous": [60.0], "current": [70.0]}), "2024", "2025"
        ),
        charts.provinces_ranked(pd.DataFrame({"province": ["Jatim"], "overall": [70.0], "n": [3]}), 65.0),
        charts.category_by_province(
            pd.DataFrame({"Tanggap": [2], "Cukup Tanggap": [1]}, index=["Jatim"]), FIVE
        ),
        charts.target_by_year(
            pd.DataFrame({"year": [2024, 2025], "reached": [3, 6], "target": [4, 5]}), 2025
        ),
        charts.results_map(
            pd.DataFrame(
                {
                    "name": ["A"],
                    "province": ["P"],
                    "longitude": [112.6],
                    "latitude": [-7.9],
                    "overall": [70.0],
                    "category": ["Tanggap"],
                }
            )
        ),
        charts.empty("kosong"),
    ]


def test_every_chart_is_a_valid_plotly_figure():
    import plotly.graph_objects as go

    for fig in _every_chart():
        # Rebuilding with validation raises on any property plotly.js would not understand.
        go.Figure(fig.to_plotly_json())
