"""The field-kit download: GET the package of a collection as JSON (read-only; no page uses it yet).

Who gets it follows the entry rules (workflow.ensure_can_enter): only the kab/kota's own BNNK may enter
data, so only it gets a package. A kab/kota outside the user's scope is a 404 (pages.get_collection);
a role that sees the kab/kota but may not enter data (its BNNP, BNN pusat) gets a 403, as the Excel pages.
A closed collection (submitted, past its deadline) still gives its package, with `entry_open: false` and
the reason in `entry_closed_reason`, so the officer sees why nothing can be synced.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kotan import access

from .. import pages
from . import package


@login_required
@require_GET
def fieldkit_package(request: HttpRequest, year: int, regency_code: str) -> JsonResponse:
    collection = pages.get_collection(request.user, year, regency_code)
    if not access.can_enter_data(request.user, collection.regency):
        raise PermissionDenied(
            _("Hanya petugas BNNK kabupaten/kota ini yang dapat menyiapkan paket lapangan.")
        )
    response = JsonResponse(
        package.build(collection, request.user), json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "private, no-store"
    return response
