"""Regions pages: provinces and their kab/kota, scoped by kotan.access."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kotan import access


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    regencies = access.visible_regencies(request.user).select_related("province").order_by("code")
    if query:
        regencies = regencies.filter(
            Q(name__icontains=query) | Q(code__startswith=query) | Q(province__name__icontains=query)
        )
    groups: dict = {}
    for regency in regencies:
        groups.setdefault(regency.province, []).append(regency)
    return render(
        request,
        "regions/region_list.html",
        {"groups": groups, "query": query, "total": sum(len(v) for v in groups.values())},
    )


@login_required
def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    province = access.get_province_or_404(request.user, code)
    regencies = access.visible_regencies(request.user).filter(province=province).order_by("code")
    return render(request, "regions/province_detail.html", {"province": province, "regencies": regencies})


@login_required
def regency_detail(request: HttpRequest, code: str) -> HttpResponse:
    regency = access.get_regency_or_404(request.user, code)
    return render(request, "regions/regency_detail.html", {"regency": regency})
