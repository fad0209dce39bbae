"""{% chart figure "id" "label" %}: a reports.charts.Figure as inline SVG (its wide and narrow layouts, the
page's CSS showing one) under an element with role="img" and the label as its text alternative;
{% ranking_head variables %} and {% ranking_rows rows has_previous variables %}: the national ranking
table's header row and rows, from one list of columns (each cell carries its column's name in data-label,
which the phone layout shows: static/css/kotan.css, .table-stack); a rank's range and the index's 95 %
interval come on a second line of their cell, a variable's interval as its cell's title.

No JavaScript draws anything: the SVG comes with the page. static/js/charts.js only writes a tapped
mark's value (its <title>) into the chart's caption, for phones, which show no tooltips.
"""

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()


@register.simple_tag
def chart(figure, element_id: str, label: str = ""):
    # reports.svg escapes every text it writes, so the SVG is safe markup as it stands.
    wide = mark_safe(figure.wide)  # noqa: S308
    body = (
        format_html(
            '<div class="chart-wide">{}</div><div class="chart-narrow">{}</div>',
            wide,
            mark_safe(figure.narrow),  # noqa: S308
        )
        if figure.narrow
        else wide
    )
    return format_html(
        '<figure class="kotan-chart" id="{}"><div role="img" aria-label="{}">{}</div>'
        '<figcaption class="chart-tip" aria-live="polite" hidden></figcaption></figure>',
        element_id,
        label,
        body,
    )


# The national ranking's columns before the variables: (label, header class).
_FIXED_COLUMNS = [
    (gettext_lazy("Peringkat"), ""),
    (gettext_lazy("Perubahan"), ""),
    (gettext_lazy("Kab/kota"), ""),
    (gettext_lazy("Provinsi"), ""),
    (gettext_lazy("Indeks"), "text-end"),
    (gettext_lazy("Kategori"), ""),
    (gettext_lazy("Saat dikirim"), "text-end"),
]


def _ranking_columns(variables) -> list[tuple[str, str, str]]:
    """The national ranking's columns as (label, header class, header title), in the order of the cells
    that ranking_rows writes; variables: (code, name) pairs."""
    fixed = [(str(label), cls, "") for label, cls in _FIXED_COLUMNS]
    return fixed + [(code, "text-end", name) for code, name in variables]


@register.simple_tag
def ranking_head(variables):
    """The national ranking's header row."""
    return format_html(
        "<tr>{}</tr>",
        format_html_join(
            "",
            '<th scope="col"{}{}>{}</th>',
            (
                (
                    format_html(' class="{}"', cls) if cls else "",
                    format_html(' title="{}"', title) if title else "",
                    label,
                )
                for label, cls, title in _ranking_columns(variables)
            ),
        ),
    )


def _ci_title(value: str, template: str) -> str:
    """A variable cell's 95 % interval as its title (on hover), or nothing; `template`: the translated
    "95 %%: %(range)s", looked up once per table."""
    return f' title="{escape(template % {"range": value})}"' if value else ""


@register.simple_tag
def ranking_rows(rows: list[dict], has_previous: bool, variables):
    """The national ranking's <tr> rows (up to every kab/kota: 514) built here in one pass: the same
    markup through the template engine cost ~100 ms a page, most of the national dashboard's time."""
    of, new = escape(_("dari")), escape(_("baru") if has_previous else "—")
    range_word, ci_template = escape(_("rentang")), _("95 %%: %(range)s")
    label = [f' data-label="{escape(name)}"' for name, _cls, _title in _ranking_columns(variables)]
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
        scores = "".join(
            f'<td class="text-end"{lab}{_ci_title(ci, ci_template)}>{escape(value)} '
            f'<span class="subrank">#{escape(sub)}</span></td>'
            for lab, (value, sub), ci in zip(
                label[len(_FIXED_COLUMNS) :], r["variables"], r.get("variable_intervals", ()), strict=False
            )
        )
        rank_range = (
            f'<span class="ci-line" data-testid="rank-range">{range_word} {escape(r["rank_range"])}</span>'
            if r.get("rank_range")
            else ""
        )
        index_ci = (
            f'<span class="ci-line" data-testid="index-ci">{escape(r["interval"])}</span>'
            if r.get("interval")
            else ""
        )
        out.append(
            f'<tr data-testid="ranking-row" data-regency="{escape(r["code"])}">'
            f'<td data-testid="rank"{label[0]}>{escape(r["rank"])} '
            f'<span class="text-muted">{of} {escape(r["n"])}</span>{rank_range}</td>'
            f'<td data-testid="movement"{label[1]}>{move}</td>'
            f'<td{label[2]}><a href="{escape(r["url"])}">{escape(r["name"])}</a></td>'
            f"<td{label[3]}>{escape(r['province'])}</td>"
            f'<td class="text-end"{label[4]}>'
            f'<span class="fw-semibold">{escape(r["reported"])}</span>{index_ci}</td>'
            f"<td{label[5]}>{escape(r['category'])}</td>"
            f'<td class="text-end"{label[6]}>{escape(r["submitted"])}</td>'
            f"{scores}</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
