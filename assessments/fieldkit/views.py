"""The field kit's JSON endpoints (issue 15): the session, the package of a collection, the sync of one
queued questionnaire, the upload of a photo taken offline, and the queue as Excel templates.

Every answer is JSON (the export aside), private and not stored by any cache. A signed-out call gets a
401 JSON with the login address, never a redirect: the offline client keeps its queue and asks for the
password. Who may act follows the entry rules: only the kab/kota's own BNNK enters data
(access.can_enter_data), so a kab/kota outside the user's scope is a 404 (pages.get_collection) and a role
that sees it but does not enter data (its BNNP, BNN pusat) gets a 403. A closed collection still gives
its package (`entry_open: false` and the reason) and its queue export; a sync then refuses with the reason
(workflow). POSTs need the CSRF token (header X-CSRFToken; sesi.json hands it out).
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kotan import access
from kotan.lib.service_errors import NotAllowed, ServiceError

from .. import pages, workflow
from ..bulk import workbook
from ..evidence import services as evidence_services
from ..models import Collection, Evidence, Questionnaire
from . import export, package, page, payload, sync


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


def _refusal(exc: ServiceError) -> JsonResponse:
    """A request refused as a whole: 403 refused (nothing applied), 404, or 400 for a malformed one."""
    status = "refused" if isinstance(exc, NotAllowed) else "invalid"
    return _json({"status": status, "code": exc.code, "message": exc.message}, exc.status)


def json_login_required(view):
    """Like login_required, but a signed-out call gets 401 JSON with the login address, not a redirect."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            back = {"next": reverse("assessments:fieldkit_home")}
            login = resolve_url(settings.LOGIN_URL) + "?" + urlencode(back, safe="/")
            message = _("Sesi Anda berakhir. Masuk lagi; antrean di perangkat ini tetap tersimpan.")
            return _json(
                {
                    "error": "login",
                    "status": "refused",
                    "code": "login",
                    "message": message,
                    "login_url": login,
                },
                401,
            )
        return view(request, *args, **kwargs)

    return wrapped


def _entry_collection(request: HttpRequest, year: int, regency_code: str) -> Collection:
    """The collection of the URL if the user is its kab/kota's BNNK: else NotFound (not in scope) or
    NotAllowed (in scope, may not enter data)."""
    try:
        collection = pages.get_collection(request.user, year, regency_code)
    except Http404:
        raise sync.NotFound(_("Kabupaten/kota atau periode tidak ditemukan."), code="not_found") from None
    if not access.can_enter_data(request.user, collection.regency):
        raise NotAllowed(
            _("Hanya petugas BNNK kabupaten/kota ini yang dapat memakai perangkat lapangan."),
            code="forbidden",
        )
    return collection


@require_GET
@json_login_required
def fieldkit_session(request: HttpRequest) -> JsonResponse:
    """Who is signed in, a CSRF token for the POSTs, and the collections the user may work on offline."""
    user = request.user
    collections = page.field_collections(user)
    return _json(
        {
            "user": {"id": user.pk, "username": user.username, "name": user.get_full_name() or user.username},
            "csrf": get_token(request),
            "collections": [_collection_entry(c) for c in collections],
        }
    )


def _collection_entry(collection: Collection) -> dict:
    closed = workflow.entry_closed_reason(collection)
    return {
        "key": f"{collection.period.year}/{collection.regency.code}",
        "year": collection.period.year,
        "period_name": collection.period.name,
        "regency_code": collection.regency.code,
        "regency_name": collection.regency.name,
        "entry_open": closed is None,
        "entry_closed_reason": closed or "",
        "valid_until": workflow.entry_deadline(collection).isoformat(),
        **package.endpoints(collection),
    }


@require_GET
@json_login_required
def fieldkit_package(request: HttpRequest, year: int, regency_code: str) -> JsonResponse:
    try:
        collection = _entry_collection(request, year, regency_code)
    except ServiceError as exc:
        return _refusal(exc)
    return _json(package.build(collection, request.user))


@require_POST
@json_login_required
def fieldkit_sync(request: HttpRequest, year: int, regency_code: str) -> JsonResponse:
    """One queued questionnaire (body: payload.questionnaire) applied; per-answer results (sync.py)."""
    try:
        collection = _entry_collection(request, year, regency_code)
        item = payload.questionnaire(payload.read_json(request.body))
        result = sync.questionnaire_sync(collection=collection, user=request.user, item=item)
    except RequestDataTooBig:
        return _json({"status": "invalid", "code": "too_big", "message": _("Data terlalu besar.")}, 413)
    except ServiceError as exc:
        return _refusal(exc)
    return _json(result.as_dict(), result.http_status)


@require_POST
@json_login_required
def fieldkit_photo(request: HttpRequest, year: int, regency_code: str) -> JsonResponse:
    """A photo (or any evidence file) taken offline, through evidence_upload's checks; once per uuid:
    201 stored, 200 stored before, 422 refused by the checks (type, size), 403 closed, 400 malformed."""
    try:
        collection = _entry_collection(request, year, regency_code)
        client_uuid = payload.parse_uuid(request.POST.get("uuid"))
        found = _photo_of(collection, client_uuid)
    except ServiceError as exc:
        return _refusal(exc)
    if found is not None:
        return _photo_saved(found, created=False)
    try:
        evidence = evidence_services.evidence_upload(
            collection=collection,
            user=request.user,
            uploaded_file=request.FILES.get("file"),
            title=_photo_title(collection, request.POST),
            client_uuid=client_uuid,
        )
    except IntegrityError:  # the same photo sent twice at once: the other request stored it
        return _photo_saved(Evidence.objects.get(client_uuid=client_uuid), created=False)
    except NotAllowed as exc:
        return _refusal(exc)
    except ServiceError as exc:
        return _json({"status": "invalid", "code": exc.code, "message": exc.message}, 422)
    return _photo_saved(evidence, created=True)


def _photo_of(collection: Collection, client_uuid) -> Evidence | None:
    found = Evidence.objects.filter(client_uuid=client_uuid).first()
    if found is not None and found.collection_id != collection.pk:
        raise ServiceError(_("Kode foto ini sudah dipakai di koleksi lain."), code="uuid_elsewhere")
    return found


def _photo_title(collection: Collection, data) -> str:
    """The title sent, else "Foto kuesioner <label>" when the photo belongs to a synced questionnaire."""
    title = str(data.get("title", "")).strip()
    if title or not data.get("questionnaire_uuid"):
        return title
    try:
        owner_uuid = payload.parse_uuid(data.get("questionnaire_uuid"))
    except ServiceError:
        return title
    owner = Questionnaire.objects.filter(collection=collection, client_uuid=owner_uuid).first()
    if owner is None:
        return title
    return _("Foto kuesioner %(label)s") % {"label": owner.label or f"#{owner.pk}"}


def _photo_saved(evidence: Evidence, *, created: bool) -> JsonResponse:
    return _json(
        {"status": "ok", "evidence": {"id": evidence.pk, "created": created}}, 201 if created else 200
    )


@require_POST
@json_login_required
def fieldkit_export(request: HttpRequest, year: int, regency_code: str) -> HttpResponse:
    """The queue (body {"questionnaires": [...]}) as the bulk-entry template: one xlsx, or a zip of one
    per group. Allowed while the collection is closed too: it writes nothing."""
    try:
        collection = _entry_collection(request, year, regency_code)
        queued = payload.read_json(request.body).get("questionnaires")
        if not isinstance(queued, list):
            raise ServiceError(_("Data antrean tidak valid."), code="malformed")
        items = [payload.questionnaire(q) for q in queued[: workbook.MAX_ROWS + 1]]
        name, content_type, data = export.queue_download(collection, items)
    except RequestDataTooBig:
        return _json({"status": "invalid", "code": "too_big", "message": _("Data terlalu besar.")}, 413)
    except ServiceError as exc:
        return _refusal(exc)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
