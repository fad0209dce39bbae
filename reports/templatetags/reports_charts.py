"""{% chart figure "id" "label" %}: a plotly figure as a <div> plus its JSON in a json_script block;
{% ranking_rows rows has_previous %}: the national ranking table's rows.

No inline JavaScript (the Content-Security-Policy refuses it): static/js/charts.js finds every
[data-figure] element and draws it with plotly.js from static/vendor/plotly/.
"""

from django import template
from django.utils.html import escape, format_html, json_script
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _plain(figure) -> dict:
    """The figure as plain data. reports.charts builds figures from plain Python values (None for
    NaN), so the stored dicts are encoded as they are: to_plotly_json() deep-copies and walks them
    for typed arrays, and PlotlyJSONEncoder encodes twice to police NaN (~10 ms for the map)."""
    data, layout = getattr(figure, "_data", None), getattr(figure, "_layout", None)
    if data is None or layout is None:  # another plotly version: the public, slower way
        return figure.to_plotly_json()
    return {"data": data, "layout": layout}


@register.simple_tag
def chart(figure, element_id: str, label: str = ""):
    data_id = f"{element_id}-data"
    return format_html(
        '<div class="kotan-chart" id="{}" data-figure="{}" role="img" aria-label="{}"></div>{}',
        element_id,
        data_id,
        label,
        json_script(_plain(figure), data_id),
    )


@register.simple_tag
def ranking_rows(rows: list[dict], has_previous: bool):
    """The national ranking's <tr> rows (up to every kab/kota: 514) built here in one pass: the same
    markup through the template engine cost ~100 ms a page, most of the national dashboard's time."""
    of, new = escape(_("dari")), escape(_("baru") if has_previous else "—")
    out = []
    for r in rows:
        movement = r["movement"]
        if movement is None:
            move = f'<span class="text-muted">{new}</span>'
        elif movement > 0:
            move = f'<span class="move-up">▲ {movement}</span>'
        elif movement < 0:
            move = f'<span class="move-down">▼ {-movement}</span>'
        else:
            move = '<span class="text-muted">=</span>'
        variables = "".join(
            f'<td class="text-end">{escape(value)} <span class="subrank">#{escape(sub)}</span></td>'
            for value, sub in r["variables"]
        )
        out.append(
            f'<tr data-testid="ranking-row" data-regency="{escape(r["code"])}">'
            f'<td data-testid="rank">{escape(r["rank"])} '
            f'<span class="text-muted">{of} {escape(r["n"])}</span></td>'
            f'<td data-testid="movement">{move}</td>'
            f'<td><a href="{escape(r["url"])}">{escape(r["name"])}</a></td>'
            f"<td>{escape(r['province'])}</td>"
            f'<td class="text-end fw-semibold">{escape(r["reported"])}</td>'
            f"<td>{escape(r['category'])}</td>"
            f'<td class="text-end">{escape(r["submitted"])}</td>'
            f"{variables}</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
