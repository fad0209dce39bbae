"""The read-only JSON API (django-ninja): periods, scores per period, the national ranking.

Auth: the browser session, or a personal token (`Authorization: Bearer <token>`, made with
`manage.py api_token create <username>`). Scope: kotan.access.visible_regencies, as every page.
OpenAPI at /api/openapi.json, Swagger UI at /api/docs (served from django-ninja's own static files).
/api/ itself lists the endpoints and those two links, without login: it holds no data, only what the
public schema already says.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import secrets

import pandas as pd
from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema
from ninja.security import HttpBearer, SessionAuth

from assessments.models import Period
from instruments.models import Variable
from kotan.access import visible_regencies
from reports import report_data, selectors, uncertainty
from reports.models import ApiToken
from reports.summaries import as_float

TOKEN_PREFIX_LEN = 8
MAX_PAGE_SIZE = 500


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for this user; the plain token is returned once and never stored."""
    # Prefixed, so a token (and its shown prefix) never starts with "-", which a command line would
    # take for an option (`api_token revoke -x...`).
    token = "kt_" + secrets.token_urlsafe(32)
    obj = ApiToken.objects.create(
        user=user, name=name, key_hash=hash_token(token), prefix=token[:TOKEN_PREFIX_LEN]
    )
    return obj, token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        # at most one write a minute per token, not one per request
        if found.last_used_at is None or now - found.last_used_at > datetime.timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="KOTAN API",
    version="1",
    description=(
        "API baca-saja KOTAN (IKOTAN): periode, skor per kab/kota, peringkat nasional. Cakupan data "
        "mengikuti peran pengguna: BNNK kab/kotanya, BNNP provinsinya, BNN pusat seluruhnya."
    ),
    auth=[SessionAuth(), TokenAuth()],
    urls_namespace="api",
)


class EndpointOut(Schema):
    method: str
    path: str
    summary: str
    auth: bool = Field(description="perlu sesi login atau token Bearer")


class RootOut(Schema):
    name: str
    version: str
    description: str
    auth: str
    openapi: str
    docs: str
    endpoints: list[EndpointOut]


class VariableOut(Schema):
    code: str
    name: str


class PeriodOut(Schema):
    year: int
    name: str
    instrument: str
    collection_opens: datetime.date
    collection_deadline: datetime.date
    verification_deadline: datetime.date
    target_count: int
    is_synthetic: bool
    participants: int
    variables: list[VariableOut]


CI_LOW = "batas bawah interval kepercayaan 95 % IKOTAN 0-100 (bootstrap atas kuesioner dalam tiap kelompok "
CI_LOW += "responden); null bila belum dihitung"
CI_HIGH = "batas atas interval kepercayaan 95 % IKOTAN 0-100; null bila belum dihitung"
RANK_LOW = (
    "peringkat nasional terbaik dalam rentang 95 % (bootstrap); null bila tidak diperingkat atau rentang "
)
RANK_LOW += "peringkat periode ini sedang dihitung"
RANK_HIGH = "peringkat nasional terburuk dalam rentang 95 %; null seperti rank_low"
VARIABLES_CI = "interval kepercayaan 95 % tiap variabel (0-100): {kode variabel: [bawah, atas]}; kosong bila "
VARIABLES_CI += "belum dihitung"


class IntervalFields(Schema):
    """The bootstrap's 95 % intervals (issue 17), on score and ranking items alike."""

    ci_low: float | None = Field(None, description=CI_LOW)
    ci_high: float | None = Field(None, description=CI_HIGH)
    rank_low: int | None = Field(None, description=RANK_LOW)
    rank_high: int | None = Field(None, description=RANK_HIGH)
    variables_ci: dict[str, list[float]] = Field(default_factory=dict, description=VARIABLES_CI)


class ScoreOut(IntervalFields):
    code: str
    name: str
    province_code: str
    province: str
    kind: str
    state: str
    quota_met: bool
    respondents: int
    submitted: float | None = Field(None, description="IKOTAN 0-100 saat pertama dikirim")
    current: float | None = Field(None, description="IKOTAN 0-100 terkini")
    verified: float | None = Field(None, description="skor terkini bila terverifikasi/final")
    reported: float | None = Field(None, description="IKOTAN pada skala skema kategori")
    category: str
    variables: dict[str, float | None]
    computed_at: datetime.datetime | None


class RankingOut(IntervalFields):
    rank: int
    n: int
    code: str
    name: str
    province: str
    kind: str
    overall: float
    reported: float | None
    category: str
    state: str
    submitted: float | None
    verified: float | None
    variables: dict[str, float | None]
    variable_ranks: dict[str, int | None]
    movement: int | None = Field(None, description="naik (+) atau turun (−) dibanding tahun lalu")
    province_rank_low: int | None = Field(None, description="peringkat provinsi terbaik dalam rentang 95 %")
    province_rank_high: int | None = Field(None, description="peringkat provinsi terburuk dalam rentang 95 %")


class ScorePage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[ScoreOut]


class RankingPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[RankingOut]


class PageQuery(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE)


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _intervals(rec: dict, codes: list[str], ranges: uncertainty.RankRanges) -> dict:
    """A row's IntervalFields from its Score.ci and the period's rank ranges (None when not current)."""
    overall = uncertainty.interval(rec["ci"], "overall")
    national = ranges.of(rec["collection_id"]) if rec["collection_id"] is not None else None
    return {
        "ci_low": overall[0] if overall else None,
        "ci_high": overall[1] if overall else None,
        "rank_low": national[0] if national else None,
        "rank_high": national[1] if national else None,
        "variables_ci": {c: list(v) for c, v in uncertainty.variable_intervals(rec["ci"], codes).items()},
    }


def _ranges(period: Period, frame: pd.DataFrame | None = None) -> uncertainty.RankRanges:
    """The period's rank ranges, checked against its whole ranked set (`frame`, else read: one query)."""
    whole = frame if frame is not None else selectors.period_scores(period, None, [])
    return uncertainty.rank_ranges(whole, selectors.rank_intervals(period.pk))


def _province_range(rec: dict, ranges: uncertainty.RankRanges) -> dict:
    found = ranges.of(rec["collection_id"], "province")
    return {
        "province_rank_low": found[0] if found else None,
        "province_rank_high": found[1] if found else None,
    }


def _page(records: list[dict], query: PageQuery) -> dict:
    count = len(records)
    start = (query.page - 1) * query.page_size
    return {
        "count": count,
        "page": query.page,
        "pages": max(1, math.ceil(count / query.page_size)),
        "page_size": query.page_size,
        "results": records[start : start + query.page_size],
    }


def _period(year: int) -> Period:
    return get_object_or_404(Period.objects.select_related("instrument"), year=year)


def _period_out(period: Period, variables: list[tuple[str, str]], participants: int) -> dict:
    return {
        "year": period.year,
        "name": period.name,
        "instrument": period.instrument.version,
        "collection_opens": period.collection_opens,
        "collection_deadline": period.collection_deadline,
        "verification_deadline": period.verification_deadline,
        "target_count": period.target_count,
        "is_synthetic": period.is_synthetic,
        "participants": participants,
        "variables": [{"code": c, "name": n} for c, n in variables],
    }


@api.get("/", response=RootOut, auth=None, url_name="root", summary="Daftar endpoint API", tags=["api"])
def root(request):
    """Public on purpose: it lists what the public schema (/api/openapi.json) and docs already show and
    no data; every endpoint it names keeps its own auth (session or Bearer token)."""
    schema = api.get_openapi_schema()
    root_path = api.get_root_path({})
    endpoints = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "auth": bool(operation.get("security")),
        }
        for path, operations in schema["paths"].items()
        if path != root_path
        for method, operation in operations.items()
    ]
    return {
        "name": api.title,
        "version": api.version,
        "description": api.description,
        "auth": (
            "Sesi login (browser) atau header 'Authorization: Bearer <token>' "
            "(token dibuat dengan manage.py api_token create <username>)."
        ),
        "openapi": root_path + api.openapi_url.lstrip("/"),
        "docs": root_path + api.docs_url.lstrip("/"),
        "endpoints": endpoints,
    }


@api.get("/periods", response=list[PeriodOut], summary="Daftar periode", tags=["periode"])
def periods(request):
    rows = list(
        Period.objects.select_related("instrument").annotate(n=Count("participants")).order_by("-year")
    )
    variables: dict[int, list[tuple[str, str]]] = {}
    for inst, code, name in (
        Variable.objects.filter(instrument_id__in={p.instrument_id for p in rows})
        .order_by("order", "id")
        .values_list("instrument_id", "code", "name")
    ):
        variables.setdefault(inst, []).append((code, name))
    return [_period_out(p, variables.get(p.instrument_id, []), p.n) for p in rows]


@api.get("/periods/{year}", response=PeriodOut, summary="Satu periode", tags=["periode"])
def period_detail(request, year: int):
    period = _period(year)
    variables = selectors.instrument_variables(period.instrument_id)
    return _period_out(period, variables, period.participants.count())


@api.get(
    "/periods/{year}/scores",
    response=ScorePage,
    summary="Skor per kab/kota (dalam cakupan pengguna)",
    tags=["skor"],
)
def scores(request, year: int, query: Query[PageQuery]):
    period = _period(year)
    data = report_data.period_scores(period, visible_regencies(request.user))
    codes = data.variable_codes
    ranges = _ranges(period)
    records = []
    for rec in data.frame.to_dict("records"):
        current = as_float(rec["current"])
        records.append(
            {
                "code": rec["code"],
                "name": rec["name"],
                "province_code": rec["province_code"],
                "province": rec["province"],
                "kind": rec["kind"],
                "state": rec["state"],
                "quota_met": bool(rec["quota_met"]),
                "respondents": int(rec["respondents"] or 0),
                "submitted": as_float(rec["submitted"]),
                "current": current,
                "verified": current if rec["state"] in ("verified", "final") else None,
                "reported": as_float(rec["reported"]),
                "category": rec["category"] or "",
                "variables": {c: as_float(rec[c]) for c in codes},
                "computed_at": None if pd.isna(rec["computed_at"]) else rec["computed_at"],
                **_intervals(rec, codes, ranges),
            }
        )
    return _page(records, query)


@api.get(
    "/periods/{year}/ranking",
    response=RankingPage,
    summary="Peringkat nasional (baris dalam cakupan pengguna, peringkat nasional)",
    tags=["peringkat"],
)
def ranking(request, year: int, query: Query[PageQuery]):
    period = _period(year)
    current = report_data.period_scores(period)
    frame = report_data.ranking_with_previous(current, report_data.previous_scores(period))
    visible = set(visible_regencies(request.user).values_list("code", flat=True))
    frame = frame[frame["code"].isin(visible)]
    codes = current.variable_codes
    ranges = _ranges(period, current.frame)
    by_code = current.frame.set_index("code")[["collection_id", "ci"]]
    frame = frame.join(by_code, on="code")
    records = [
        {
            "rank": int(rec["rank"]),
            "n": int(rec["n"]),
            "code": rec["code"],
            "name": rec["name"],
            "province": rec["province"],
            "kind": rec["kind"],
            "overall": float(rec["overall"]),
            "reported": as_float(rec["reported"]),
            "category": rec["category"] or "",
            "state": rec["state"],
            "submitted": as_float(rec["submitted"]),
            "verified": as_float(rec["verified"]),
            "variables": {c: as_float(rec[c]) for c in codes},
            "variable_ranks": {c: _int(rec[f"rank_{c}"]) for c in codes},
            "movement": _int(rec["movement"]),
            **_intervals(rec, codes, ranges),
            **_province_range(rec, ranges),
        }
        for rec in frame.to_dict("records")
    ]
    return _page(records, query)
