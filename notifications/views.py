"""The user's own notifications: list, open (marks read and follows the link), mark read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .models import Notification

PAGE_SIZE = 20


def _get_notification_for_user(request: HttpRequest, pk: int) -> Notification:
    # Someone else's notification is a 404, never a hint that it exists.
    return get_object_or_404(Notification, pk=pk, recipient=request.user)


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient=request.user)
    unread_only = request.GET.get("belum") == "1"
    if unread_only:
        mine = mine.filter(read_at__isnull=True)
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("hal"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread_only": unread_only},
    )


@require_GET
@never_cache
@login_required
def unread_count(request: HttpRequest) -> JsonResponse:
    """The navbar badge's number (fetched by static/js/notifications.js): one COUNT query."""
    count = _unread(request).count()
    label = ngettext("%(n)s belum dibaca", "%(n)s belum dibaca", count) % {"n": count}
    return JsonResponse({"unread": count, "label": label})


@require_GET
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _get_notification_for_user(request, pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
@login_required
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    Notification.objects.filter(pk=_get_notification_for_user(request, pk).pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return _back(request)


@require_POST
@login_required
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    _unread(request).update(read_at=timezone.now())
    return _back(request)


def _unread(request: HttpRequest):
    return Notification.objects.filter(recipient=request.user, read_at__isnull=True)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")
