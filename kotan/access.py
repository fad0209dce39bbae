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


# What a user's role gives: every kab/kota, those of one province, one kab/kota, or none.
_ALL, _PROVINCE, _REGENCY, _NONE = "all", "province", "regency", "none"


def _reach(user) -> tuple[str, int | None]:
    """(_ALL, None), (_PROVINCE, province id), (_REGENCY, kab/kota id) or (_NONE, None)."""
    if not user.is_authenticated:
        return _NONE, None
    if _is_national(user):
        return _ALL, None
    if user.role == Role.BNNP and user.province_id is not None:
        return _PROVINCE, user.province_id
    if user.role == Role.BNNK and user.regency_id is not None:
        return _REGENCY, user.regency_id
    return _NONE, None


def regency_filter(user, field: str = "") -> Q:
    """The kab/kota the user may see, as a filter on `field` (a path to a Regency foreign key, e.g.
    "collection__regency"; empty for Regency itself): plain column comparisons, no subquery."""
    kind, pk = _reach(user)
    if kind == _ALL:
        return Q()
    if kind == _PROVINCE:
        return Q(**{f"{field}__province_id" if field else "province_id": pk})
    if kind == _REGENCY:
        return Q(**{f"{field}_id" if field else "pk": pk})
    return Q(pk__in=[])


def visible_regencies(user) -> QuerySet[Regency]:
    return Regency.objects.filter(regency_filter(user))


def can_view_regency(user, regency: Regency) -> bool:
    kind, pk = _reach(user)
    if kind == _PROVINCE:
        return regency.province_id == pk
    if kind == _REGENCY:
        return regency.pk == pk
    return kind == _ALL


def visible_provinces(user) -> QuerySet[Province]:
    kind, pk = _reach(user)
    if kind == _ALL:
        return Province.objects.all()
    if kind == _PROVINCE:
        return Province.objects.filter(pk=pk)
    if kind == _REGENCY:
        return Province.objects.filter(regencies__pk=pk)
    return Province.objects.none()


def can_view_province(user, province: Province) -> bool:
    kind, pk = _reach(user)
    if kind == _PROVINCE:
        return province.pk == pk
    if kind == _REGENCY:
        return user.regency is not None and user.regency.province_id == province.pk
    return kind == _ALL


def can_enter_data(user, regency: Regency) -> bool:
    """Only the BNNK of a kab/kota enters its questionnaires and evidence."""
    return user.is_authenticated and user.role == Role.BNNK and regency.pk == user.regency_id


def can_verify(user, regency: Regency) -> bool:
    """The BNNP of the kab/kota's province verifies and returns its collection."""
    return user.is_authenticated and user.role == Role.BNNP and regency.province_id == user.province_id


def can_edit_plan(user, regency: Regency) -> bool:
    """The action plan (rencana aksi) of a kab/kota is written by its BNNK only; its BNNP and BNN pusat
    read it (who may read it at all: can_view_regency / get_regency_or_404)."""
    return can_enter_data(user, regency)


def can_follow_up_plan(user, regency: Regency) -> bool:
    """Follow-ups (monev) of a kab/kota's plan are recorded by the BNNP of its province only; its BNNK and
    BNN pusat read them."""
    return can_verify(user, regency)


def can_comment_plan(user, regency: Regency) -> bool:
    """The plan's conversation: the BNNP of the province and the kab/kota's own BNNK (who replies)."""
    return can_follow_up_plan(user, regency) or can_edit_plan(user, regency)


def can_change_follow_up(user, regency: Regency) -> bool:
    """A recorded follow-up is corrected or removed by the BNNP that may follow up the plan (any officer of
    the province's BNNP, not only its author: the follow-up is the office's record)."""
    return can_follow_up_plan(user, regency)


def can_change_comment(user, regency: Regency, author_id: int | None) -> bool:
    """A comment is edited or removed by its author only, while the author may still comment the plan."""
    return author_id is not None and author_id == user.pk and can_comment_plan(user, regency)


def can_monitor_province(user, province: Province) -> bool:
    """The province's monev page (its plans, overdue items, kab/kota without a plan): its BNNP and BNN
    pusat; a BNNK reads only its own plan."""
    kind, pk = _reach(user)
    return kind == _ALL or (kind == _PROVINCE and province.pk == pk)


def microdata_scope(user) -> str | None:
    """The anonymised respondent-level microdata a user may download by default: BNN pusat the nation
    (""), a BNNP its own province (its code); a BNNK none (it exports no respondent-level data of any
    kind, its own kab/kota's being in its entry pages already). None: no microdata at all."""
    kind, _pk = _reach(user)
    if kind == _ALL:
        return ""
    if kind == _PROVINCE:
        return user.province.code
    return None


def can_export_microdata(user, province_code: str) -> bool:
    """Microdata of a scope ("" national, else a province code): BNN pusat any, a BNNP its province."""
    scope = microdata_scope(user)
    return scope == "" or (scope is not None and scope == province_code)


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
