"""Project-level views that belong to no app: the health check."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """ "ok" when this process serves Django: no login, no database, no template.

    For a load balancer or monitor (deploy/) and as the bare-view baseline of bench/load.py. It does not
    touch the database on purpose: a slow database must not take every web process out of rotation.
    """
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
