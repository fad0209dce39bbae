"""Preview of the maps with made-up scores: bench/map_preview.py [--province 35] [--out DIR].

Writes the national and one province map as a page (legends inside, as in the PDF) and a phone page
(legends apart), screenshots them in Debian's Chromium at 1366 and 390 px, prints them to a PDF with
WeasyPrint and screenshots that PDF in Chromium's viewer: the PNGs are what to look at.
"""

import argparse
import os
import random
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")
django.setup()

from playwright.sync_api import sync_playwright  # noqa: E402
from weasyprint import HTML  # noqa: E402

from regions.loader import source_rows  # noqa: E402
from reports import maps  # noqa: E402

LABELS = ["Tidak Tanggap", "Kurang Tanggap", "Cukup Tanggap", "Tanggap", "Sangat Tanggap"]
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CSS = "body{font-family:sans-serif;margin:8px} .m svg{max-width:100%;height:auto;display:block}"


def sample() -> tuple[dict[str, float | None], list[maps.MapPoint]]:
    rnd = random.Random(1)
    provinces, regencies = source_rows()
    scores = sorted(((rnd.uniform(25, 95), r) for r in regencies), key=lambda pair: -pair[0])
    points = [
        maps.MapPoint(
            r["code"],
            r["name"],
            r["province_code"],
            r["latitude"],
            r["longitude"],
            s,
            LABELS[int(s // 20)],
            i + 1,
        )
        for i, (s, r) in enumerate(scores)
    ]
    return {p["code"]: rnd.uniform(45, 80) for p in provinces}, points


def pages(code: str) -> dict[str, str]:
    values, points = sample()
    own = [p for p in points if p.province_code == code]
    kw = {"value_label": "Rata-rata indeks"}
    desk = maps.national_map_svg(values, points, LABELS, **kw), maps.province_map_svg(code, own, LABELS)
    phone = (
        maps.national_map_svg(values, points, LABELS, legend=False, **kw)
        + maps.national_legend_svg(values, points, LABELS, **kw),
        maps.province_map_svg(code, own, LABELS, legend=False) + maps.province_legend_svg(code, own, LABELS),
    )
    html = '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
    script = (Path(__file__).resolve().parent.parent / "static" / "js" / "maps.js").as_uri()
    html += f'<style>{CSS}</style><script src="{script}" defer></script><h1>Peta</h1>'
    return {
        name: f'{html}<div class="m">{a}</div><h2>Provinsi</h2><div class="m">{b}</div>'
        for name, (a, b) in {"desktop": desk, "phone": phone}.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--province", default="35")
    parser.add_argument("--out", default="map-preview")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for name, html in pages(args.province).items():
        (out / f"{name}.html").write_text(html)
    pdf_css = "<style>@page{size:A4;margin:15mm} svg{width:100%;height:auto}</style>"
    HTML(string=pdf_css + (out / "desktop.html").read_text()).write_pdf(out / "maps.pdf")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, width in [("desktop", 1366), ("phone", 390), ("maps.pdf", 1000)]:
            page = browser.new_page(viewport={"width": width, "height": 1300})
            page.goto((out / (name if name.endswith(".pdf") else f"{name}.html")).as_uri())
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=not name.endswith(".pdf"))
            print(out / f"{name}-{width}.png")
        browser.close()


if __name__ == "__main__":
    main()
