"""{% analysis_links period province_code %}: the links to the analysts' pages a user may open (the
microdata of the national scope or of that province, the reliability page), asked of kotan.access."""

from django import template

from kotan import access

register = template.Library()


@register.inclusion_tag("reports/_analysis_links.html", takes_context=True)
def analysis_links(context, period, province_code: str = "") -> dict:
    """On the national page (province_code "") BNN pusat; on a province's page whoever may export that
    province's microdata (BNN pusat, its BNNP)."""
    user = context["request"].user
    return {
        "period": period,
        "microdata": access.can_export_microdata(user, province_code),
        "province_code": province_code if access.is_national(user) else "",
        "reliability": access.is_national(user),
    }
