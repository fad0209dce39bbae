"""Home page per role: what this user may do next."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kotan import access

from .models import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "role": user.role,
        "Role": Role,
        "province_count": access.visible_provinces(user).count(),
        "regency_count": access.visible_regencies(user).count(),
    }
    return render(request, "accounts/home.html", context)
