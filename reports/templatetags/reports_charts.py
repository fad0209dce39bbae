"""{% chart figure "id" "label" %}: a plotly figure as a <div> plus its JSON in a json_script block.

No inline JavaScript (the Content-Security-Policy refuses it): static/js/charts.js finds every
[data-figure] element and draws it with plotly.js from static/vendor/plotly/.
"""

from django import template
from django.utils.html import format_html, json_script
from plotly.utils import PlotlyJSONEncoder

register = template.Library()


@register.simple_tag
def chart(figure, element_id: str, label: str = ""):
    data_id = f"{element_id}-data"
    return format_html(
        '<div class="kotan-chart" id="{}" data-figure="{}" role="img" aria-label="{}"></div>{}',
        element_id,
        data_id,
        label,
        json_script(figure.to_plotly_json(), data_id, encoder=PlotlyJSONEncoder),
    )
