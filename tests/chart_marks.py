"""Reading the dashboards' inline SVG charts in tests: each chart's SVGs by element id, and the tooltips
(<title>) of its value marks by series (<g data-series>), with the numbers they hold."""

import re
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
FIGURE = re.compile(r'<figure class="kotan-chart" id="([^"]+)">(.*?)</figure>', re.S)
SVG = re.compile(r"<svg .*?</svg>", re.S)


def charts_in(html: str) -> dict[str, list[str]]:
    """Every chart of a page by element id: its SVGs, the wide layout first."""
    return {name: SVG.findall(body) for name, body in FIGURE.findall(html)}


def series(svg: str) -> dict[str, list[str]]:
    """The tooltips of an SVG's value marks, by series name, in drawing order."""
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG
    return {g.get("data-series"): [t.text for t in g.iter(f"{NS}title")] for g in root.iter(f"{NS}g")}


def numbers(tips: list[str]) -> list[float]:
    """The value in each tooltip ("Kota Malang · Hukum: 70,00" -> 70.0), Indonesian decimal comma."""
    found = [re.search(r": ([-+]?[\d.]*\d(?:,\d+)?)", tip) for tip in tips]
    return [float(m.group(1).replace(".", "").replace(",", ".")) for m in found]


def page_series(html: str) -> dict[str, dict[str, list[str]]]:
    """Every chart of a page (wide layout): its tooltips by series."""
    return {name: series(svgs[0]) for name, svgs in charts_in(html).items()}
