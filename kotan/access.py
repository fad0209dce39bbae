"""THE scope rules: which provinces and kab/kota a user may see or change.

Every view, export and API answer asks this module; nothing else decides scope.
A BNNK sees and edits only its kab/kota, a BNNP sees its province, BNN pusat sees everything.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Role
from regions.models import Province, Regency


def _is_national(user) -> bool:
    return user.is_superuser or user.role == Role.PUSAT


def visible_provinces(user) -> QuerySet[Province]:
    if not user.is_authenticated:
        return Province.objects.none()
    if _is_national(user):
        return Province.objects.all()
    if user.role == Role.BNNP:
        return Province.objects.filter(pk=user.province_id)
    if user.role == Role.BNNK:
        return Province.objects.filter(regencies__pk=user.regency_id)
    return Province.objects.none()


def visible_regencies(user) -> QuerySet[Regency]:
    if not user.is_authenticated:
        return Regency.objects.none()
    if _is_national(user):
        return Regency.objects.all()
    if user.role == Role.BNNP:
        return Regency.objects.filter(province_id=user.province_id)
    if user.role == Role.BNNK:
        return Regency.objects.filter(pk=user.regency_id)
    return Regency.objects.none()


def regency_filter(user, field: str) -> Q:
    """The same rule as visible_regencies, as a filter on `field` (a path to a Regency foreign key, e.g.
    "collection__regency"): plain column comparisons, no subquery, for the hottest lookups."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if _is_national(user):
        return Q()
    if user.role == Role.BNNP and user.province_id is not None:
        return Q(**{f"{field}__province_id": user.province_id})
    if user.role == Role.BNNK and user.regency_id is not None:
        return Q(**{f"{field}_id": user.regency_id})
    return Q(pk__in=[])


def can_view_regency(user, regency: Regency) -> bool:
    if not user.is_authenticated:
        return False
    if _is_national(user):
        return True
    if user.role == Role.BNNP:
        return regency.province_id == user.province_id
    if user.role == Role.BNNK:
        return regency.pk == user.regency_id
    return False


def can_view_province(user, province: Province) -> bool:
    if not user.is_authenticated:
        return False
    if _is_national(user):
        return True
    if user.role == Role.BNNP:
        return province.pk == user.province_id
    if user.role == Role.BNNK:
        return user.regency is not None and user.regency.province_id == province.pk
    return False


def can_enter_data(user, regency: Regency) -> bool:
    """Only the BNNK of a kab/kota enters its questionnaires and evidence."""
    return user.is_authenticated and user.role == Role.BNNK and regency.pk == user.regency_id


def can_verify(user, regency: Regency) -> bool:
    """The BNNP of the kab/kota's province verifies and returns its collection."""
    return user.is_authenticated and user.role == Role.BNNP and regency.province_id == user.province_id


def is_national(user) -> bool:
    """BNN pusat (or a superuser): manages periods, instruments and national exports."""
    return user.is_authenticated and _is_national(user)


def get_regency_or_404(user, code: str) -> Regency:
    """The kab/kota with this code if the user may see it; a foreign one is a 404, never its data."""
    try:
        return visible_regencies(user).select_related("province").get(code=code)
    except Regency.DoesNotExist:
        raise Http404("Kabupaten/kota tidak ditemukan.") from None


def get_province_or_404(user, code: str) -> Province:
    try:
        return visible_provinces(user).get(code=code)
    except Province.DoesNotExist:
        raise Http404("Provinsi tidak ditemukan.") from None
