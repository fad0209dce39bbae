"""PDF reports: SVG charts and report contexts (pure), the HTML in Bahasa Indonesia, and a real PDF."""

import datetime

import pandas as pd
import pytest
from django.template.loader import render_to_string

from reports import pdf, svg
from reports.ranking import national_ranking

TODAY = datetime.date(2031, 12, 1)
LABELS = ["Tidak Tanggap", "Kurang Tanggap", "Cukup Tanggap", "Tanggap", "Sangat Tanggap"]
INFO = pdf.PeriodInfo(
    year=2031,
    name="IKOTAN 2031",
    target_count=2,
    is_synthetic=True,
    variables=[pdf.Variable("KK", "Ketahanan Keluarga"), pdf.Variable("KL", "Kelembagaan")],
    categories=LABELS,
)


def _frame():
    rows = [
        ("3573", "Kota Malang", "35", "Jawa Timur", "verified", 80.0, 90.0, 70.0, "Tanggap"),
        ("3507", "Kabupaten Malang", "35", "Jawa Timur", "submitted", 65.0, 60.0, 70.0, "Tanggap"),
        ("1504", "Kabupaten Batanghari", "15", "Jambi", "final", 55.0, 50.0, 60.0, "Cukup Tanggap"),
        ("1501", "Kabupaten Kerinci", "15", "Jambi", "verified", 85.0, 85.0, 85.0, "Sangat Tanggap"),
    ]
    frame = pd.DataFrame(
        [
            {
                "collection_id": i,
                "regency_id": i,
                "code": code,
                "name": name,
                "province_code": pc,
                "province": pn,
                "kind": "kota" if "Kota " in name else "kabupaten",
                "state": state,
                "state_label": state,
                "quota_met": True,
                "respondents": 180,
                "current": cur,
                "submitted": cur - 1,
                "reported": cur,
                "category": cat,
                "computed_at": None,
                "KK": kk,
                "KL": kl,
            }
            for i, (code, name, pc, pn, state, cur, kk, kl, cat) in enumerate(rows)
        ]
    )
    return frame


def test_svg_escapes_labels_and_draws_one_bar_per_value():
    chart = svg.hbar_chart([("A <b>&", 50.0), ("Kosong", None), ("C", 120.0)])
    assert "A &lt;b&gt;&amp;" in chart and "<b>" not in chart
    assert chart.count('<rect x="230"') == 2  # no bar for the missing value; 120 is clipped at 100
    assert chart.startswith("<svg") and chart.endswith("</svg>")


def test_radar_draws_a_polygon_per_complete_series():
    chart = svg.radar_chart(["A", "B", "C"], [("Satu", [10, 20, 30]), ("Dua", [None, 1, 2])])
    assert chart.count("<polygon") == 5 + 1  # five grid rings + the complete series only


def test_band_colours_from_red_to_green():
    assert svg.band_colours(LABELS)["Tidak Tanggap"] == "#c62828"
    assert svg.band_colours(LABELS)["Sangat Tanggap"] == "#2e7d32"
    assert svg.band_colours(["Cukup Tanggap", "Tanggap", "Sangat Tanggap"])["Sangat Tanggap"] == "#2e7d32"


def test_target_reached_counts_tanggap_and_above():
    assert pdf.target_reached(["Tanggap", "Sangat Tanggap", "Cukup Tanggap"], LABELS) == 2
    # a scheme without "Tanggap": the top two bands
    assert pdf.target_reached(["B", "C", "A"], ["A", "B", "C"]) == 2


def test_national_context_summary_and_rows():
    frame = _frame()
    ranking = national_ranking(frame, None, variables=["KK", "KL"])
    ctx = pdf.national_context(INFO, frame, ranking, [(2030, 60.0), (2031, 73.33)], today=TODAY)
    s = ctx["summary"]
    assert (s["participants"], s["verified"], s["ranked"]) == (4, 3, 3)
    assert s["average"] == pytest.approx((80 + 55 + 85) / 3)
    assert s["target_reached"] == 2
    assert [r["code"] for r in ctx["rows"]] == ["1501", "3573", "1504"]
    assert ctx["rows"][0]["rank"] == 1 and ctx["rows"][0]["variables"] == [85.0, 85.0]
    assert [name for name, _ in ctx["provinces"]] == ["Jawa Timur", "Jambi"]  # 80 vs 70
    assert ctx["signature"].place == "Jakarta" and ctx["signature"].date == "1 Desember 2031"


def test_province_context_only_holds_its_province():
    frame = _frame()
    ranking = national_ranking(frame, None, variables=["KK", "KL"])
    ctx = pdf.province_context(
        INFO,
        {"code": "35", "name": "Jawa Timur"},
        frame[frame["province_code"] == "35"],
        ranking,
        national_frame_average={"overall": 73.33, "KK": 75.0, "KL": 71.67},
        today=TODAY,
    )
    assert [r["code"] for r in ctx["rows"]] == ["3507", "3573"]
    malang = ctx["rows"][1]
    assert malang["verified"] == 80.0 and malang["rank"] == 2 and malang["n"] == 3
    assert ctx["rows"][0]["verified"] is None  # submitted only
    assert ctx["summary"]["average"] == 80.0
    html = render_to_string("reports/pdf/province.html", ctx)
    assert "Batanghari" not in html and "Kerinci" not in html
    assert "Kepala BNN Provinsi Jawa Timur" in html
    assert "Data sintetis" in html


def _regency_ctx(**kw):
    score = {
        "overall": 80.0,
        "reported": 80.0,
        "category": "Tanggap",
        "variables": {"KK": 90.0, "KL": 70.0},
        "indicators": {"KK1": 95.0, "KK2": 85.0, "KL1": 70.0},
        "groups": {
            "keluarga": {"n": 2, "quota": 2, "met": True},
            "instansi": {"n": 0, "quota": 1, "met": False},
        },
        "quota_met": False,
        "respondents": 2,
        "state": "verified",
        "state_label": "Terverifikasi",
        "submitted_overall": 78.0,
    }
    args = {
        "indicators": [
            ("KK1", "Komunikasi keluarga", "KK"),
            ("KK2", "Aturan keluarga", "KK"),
            ("KL1", "Tim Terpadu", "KL"),
        ],
        "groups": [("keluarga", "Keluarga"), ("instansi", "Instansi Pemerintah")],
        "province_average": {"KK": 80.0, "KL": 70.0},
        "national_average": {"KK": 75.0, "KL": 71.0},
        "rank": {"rank": 2, "n": 3, "province_rank": 1, "province_n": 1, "movement": 1},
        "previous": {"year": 2030, "overall": 70.5, "category": "Tanggap"},
        "levers": [("Tim Terpadu", 1.5)],
        "today": TODAY,
        **kw,
    }
    return pdf.regency_context(
        INFO, {"code": "3573", "name": "Kota Malang", "province": "Jawa Timur"}, score, **args
    )


def test_regency_context_and_html():
    ctx = _regency_ctx()
    assert ctx["change"] == pytest.approx(9.5)
    assert ctx["variables"][0] == ("Ketahanan Keluarga", 90.0, 80.0, 75.0, None)  # no interval given
    # weakest indicator first in the chart
    chart = str(ctx["chart_indicators"])
    assert chart.index("Tim Terpadu") < chart.index("Aturan keluarga") < chart.index("Komunikasi keluarga")
    html = render_to_string("reports/pdf/regency.html", ctx)
    assert "Rapor IKOTAN Kota Malang 2031" in html
    assert "2 / 3" in html and "provinsi 1 / 1" in html
    assert "+9,50" in html  # Indonesian decimal comma
    assert "Yang paling mengangkat skor" in html and "+1,50" in html
    assert "Kepala BNN Kota Malang" in html and "NIP." in html and "1 Desember 2031" in html


def test_regency_without_rank_or_previous():
    html = render_to_string("reports/pdf/regency.html", _regency_ctx(rank=None, previous=None, levers=[]))
    assert "belum masuk peringkat nasional" in html and "tidak ada skor tahun lalu" in html
    assert "Yang paling mengangkat skor" not in html


def test_signatory_from_settings(settings):
    settings.KOTAN_REPORT_SIGNATORIES = {"national": {"name": "Dr. Contoh", "nip": "19700101 199001 1 001"}}
    sig = pdf.signature("national", TODAY)
    assert (sig.place, sig.name, sig.nip) == ("Jakarta", "Dr. Contoh", "19700101 199001 1 001")


def test_render_pdf_makes_a_pdf():
    frame = _frame()
    ranking = national_ranking(frame, None, variables=["KK", "KL"])
    ctx = pdf.national_context(INFO, frame, ranking, [(2031, 73.33)], today=TODAY)
    content = pdf.render_pdf("national.html", ctx)
    assert content.startswith(b"%PDF-")
    assert len(content) > 5000
