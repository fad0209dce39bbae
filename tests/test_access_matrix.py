"""The access matrix: every URL of the project, for anonymous and each scoped role, against kab/kota A's data.

The URLs are found by walking the project's resolver (included apps, the respondent pages, the API and the
admin site), so a new view cannot escape: a URL name missing from MATRIX fails the test and says where to
declare it. Each case declares, per role, what a GET (and for write endpoints a POST) must give. Every
request runs in a savepoint that is rolled back, so the cases are independent; a refused request must
leave the database (and the media folder) exactly as it was, and a POST declared WRITES must change it
(so the payload is known to work and the refusals prove something). On top of the declared statuses:
  - no request of a role that may not see A gets a body mentioning A (its name or the markers in its
    data) unless the case says so;
  - A's respondent-link tokens appear only to A's BNNK and on the respondent pages themselves;
  - nothing answers 500;
  - a GET (outside the admin site and the API's token cases) adds no row to any project table, MAY_ADD
    naming the only exceptions, and never makes the collection of a kab/kota that joined the period without
    one (the late participant): collections come into being when a kab/kota joins, never on a visit. This
    walk is the one that checks it (tests/test_get_creates_nothing.py says so), so each page is rendered
    once per role.

Roles: anonymous; BNNK of A (Kota Malang) and of B (Kabupaten Malang, same province); BNNP of A's province
(Jawa Timur) and of another (Jambi); BNN pusat. A's collection has questionnaires (complete, draft,
excluded), an evidence file, respondent links (valid, used, expired), review comments with a reply,
history, scores, a cached PDF and notifications; B has a collection and a link of its own.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin as django_admin
from django.contrib.auth.models import Group
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.staff import PUSAT_GROUP
from assessments import services, workflow
from assessments.autosave import writes
from assessments.evidence import services as evidence_service
from assessments.links import services as links
from assessments.models import Collection, Questionnaire, RespondentLink
from instruments.models import EvidenceType, Indicator
from notifications.models import Notification
from plans import monev_services, signing
from plans import services as plan_services
from plans.models import ActionItem, ActionPlan, Agency
from regions.models import Regency
from reports.models import RenderedReport
from tests.factories import group, make_collection, make_period, make_score, question
from tests.fieldkit_support import JPEG

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "bnnk_a", "bnnk_b", "bnnp_a", "bnnp_other", "pusat")
OWNERS = {"bnnk_a", "bnnp_a", "pusat"}  # the roles that may see kab/kota A's data
YEAR = 2026

# Markers put into A's data: a body that shows one of them shows A's data.
MARK_QUESTIONNAIRE = "RT-PENANDA-A"
MARK_EVIDENCE = "SK-PENANDA-A"
MARK_COMMENT = "KOMENTAR-PENANDA-A"

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


# --- outcomes ------------------------------------------------------------------------------------------

LOGIN = "login"  # 302 to the login page
ADMIN_LOGIN = "admin-login"  # 302 to the admin login page
GO = "redirect"  # 302 somewhere else, no error message
REFUSED = "refused"  # 302 somewhere else with an error message (the role may see A but not do this)
WRITES = "writes"  # POST accepted (below 400) and the database changed
SHOWS_A = "200+A"  # 200 and A's data in the body (a list or export that must include A for this role)
SKIP = None  # not requested (only in the admin group, see ADMIN_OVERRIDES)
ANY_4XX = "4xx"  # any client error (for path parameters naming nothing)

Outcome = int | str | None
REFUSALS = {LOGIN, ADMIN_LOGIN, REFUSED, ANY_4XX, 401, 403, 404, 405, 410}


def r(
    anonymous: Outcome, bnnk_a: Outcome, bnnk_b: Outcome, bnnp_a: Outcome, bnnp_other: Outcome, pusat: Outcome
):
    """One row of the matrix, in ROLES order."""
    return (anonymous, bnnk_a, bnnk_b, bnnp_a, bnnp_other, pusat)


def same(outcome: Outcome):
    return (outcome,) * len(ROLES)


# Frequent rows.
A_PAGE = r(LOGIN, 200, 404, 200, 404, 200)  # a page of A: its BNNK, its BNNP and pusat
EVERY_USER = r(LOGIN, 200, 200, 200, 200, 200)
POST_ONLY = r(LOGIN, 405, 405, 405, 405, 405)  # @login_required then @require_POST
POST_ONLY_ANY = same(405)  # @require_POST (before or without @login_required)
PUSAT_ONLY = r(LOGIN, 403, 403, 403, 403, 200)


@dataclass(frozen=True)
class Case:
    """What one URL gives each role. `args` fills path parameters beyond the defaults (year, regency_code,
    group_code, token); `data` is the POST body; `state` is A's collection state while the case runs."""

    get: tuple
    post: tuple | None = None
    args: Callable[[World], dict] | None = None
    data: Callable[[World], dict] | None = None
    state: str = Collection.State.SUBMITTED
    query: str = ""
    label: str = ""
    shows_a_to_all: bool = False  # the body may mention A for everyone (a public page of A's)
    token: bool = False  # API: authenticate with the role's personal token instead of the session
    json: bool = False  # POST `data` as a JSON body (the field kit's endpoints) instead of a form


# --- the data of A (and B) -------------------------------------------------------------------------------


@dataclass
class World:
    period: object
    users: dict
    a: object
    b: object
    coll_a: Collection
    coll_b: Collection
    q_complete: Questionnaire
    q_draft: Questionnaire
    q_excluded: Questionnaire
    evidence: object
    comment: object
    links: dict
    notification: Notification
    extras: dict = field(default_factory=dict)

    @property
    def kel(self):
        return group(self.period.instrument, "keluarga")

    def q(self, code):
        return question(self.period.instrument, code)


def _questionnaire(collection, user, code, answers, *, complete=True, label="", link=None):
    inst = collection.period.instrument
    if link is None:
        qn = services.questionnaire_create(
            collection=collection, group=group(inst, code), user=user, label=label
        )
    else:
        qn = link.questionnaire
    for qcode, raw in answers.items():
        writes.questionnaire_save_answer(
            questionnaire=qn,
            question=question(inst, qcode),
            raw_value=raw,
            base_version=0,
            user=None if link else user,
            link=link,
        )
    if complete:
        services.questionnaire_complete(questionnaire=qn, user=None if link else user, link=link)
    qn.refresh_from_db()
    return qn


def build_world(users, regency_a, regency_b, regency_other) -> World:
    bnnk_a, bnnk_b, bnnp_a = users["bnnk_a"], users["bnnk_b"], users["bnnp_a"]
    period = make_period(regencies=[regency_a, regency_b, regency_other], year=YEAR)
    inst = period.instrument
    coll_a = make_collection(regency_a, period)
    coll_b = make_collection(regency_b, period)
    coll_other = make_collection(regency_other, period)
    family = {"q_likert": "4", "q_yesno": "1"}
    q_complete = _questionnaire(coll_a, bnnk_a, "keluarga", family, label=MARK_QUESTIONNAIRE)
    _questionnaire(coll_a, bnnk_a, "keluarga", {"q_likert": "2", "q_yesno": "0"})
    _questionnaire(coll_a, bnnk_a, "instansi", {"q_likert": "3", "q_number": "7", "q_likert2": "5"})
    q_excluded = _questionnaire(coll_a, bnnk_a, "keluarga", {"q_likert": "5", "q_yesno": "1"})
    q_draft = _questionnaire(coll_a, bnnk_a, "keluarga", family, complete=False)
    sk = EvidenceType.objects.get(instrument=inst, code="sk")
    evidence = evidence_service.evidence_upload(
        collection=coll_a,
        user=bnnk_a,
        uploaded_file=SimpleUploadedFile("sk.pdf", PDF),
        title=MARK_EVIDENCE,
        evidence_type=sk,
    )
    kel = group(inst, "keluarga")
    valid = links.link_create(collection=coll_a, group=kel, user=bnnk_a)
    _questionnaire(coll_a, None, "keluarga", family, complete=False, link=valid)  # completable by its holder
    used = links.link_create(collection=coll_a, group=kel, user=bnnk_a)
    _questionnaire(coll_a, None, "keluarga", family, link=used)
    expired = links.link_create(collection=coll_a, group=kel, user=bnnk_a)
    RespondentLink.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    other = links.link_create(collection=coll_b, group=kel, user=bnnk_b)

    # Submitted, one questionnaire excluded, returned with comments, answered, submitted again.
    workflow.collection_submit(collection=coll_a, user=bnnk_a)
    workflow.questionnaire_exclude(questionnaire=q_excluded, user=bnnp_a, reason="Jawaban tidak wajar")
    workflow.collection_return(
        collection=coll_a,
        user=bnnp_a,
        comments=[
            {"target": "general", "text": MARK_COMMENT},
            {"target": "questionnaire", "text": "Periksa jawaban", "questionnaire": q_complete},
        ],
    )
    comment = coll_a.comments.get(text=MARK_COMMENT)
    workflow.comment_reply(comment=comment, user=bnnk_a, text="Sudah kami periksa")
    coll_a.refresh_from_db()
    workflow.collection_submit(collection=coll_a, user=bnnk_a)
    coll_a.refresh_from_db()
    assert coll_a.state == Collection.State.SUBMITTED and coll_a.review_round == 2

    scores = {"KK": 70.0, "KL": 74.0}
    indicators = {"KK1": 72.0, "KK2": 68.0, "KL1": 74.0}
    make_score(coll_a, 72.0, scores, indicators=indicators)
    make_score(coll_a, 70.0, scores, indicators=indicators, basis="submitted")
    Collection.objects.filter(pk=coll_other.pk).update(state=Collection.State.VERIFIED)
    make_score(coll_other, 55.0, {"KK": 50.0, "KL": 60.0}, indicators={"KK1": 50.0})
    make_score(coll_b, 61.0, {"KK": 60.0, "KL": 62.0}, indicators={"KK1": 60.0})  # scored, PDF not rendered

    cached = RenderedReport(
        period=period,
        scope_kind=RenderedReport.ScopeKind.REGENCY,
        scope_key=regency_a.code,
        kind=RenderedReport.Kind.PDF,
        fingerprint="matrix",
        rendered_at=timezone.now(),
    )
    cached.file.save("kabkota-a.pdf", ContentFile(PDF), save=False)
    cached.save()

    return World(
        period=period,
        users=users,
        a=regency_a,
        b=regency_b,
        coll_a=coll_a,
        coll_b=coll_b,
        q_complete=q_complete,
        q_draft=q_draft,
        q_excluded=q_excluded,
        evidence=evidence,
        comment=comment,
        links={"valid": valid, "used": used, "expired": expired, "other": other},
        notification=None,  # sent after commit: see the world fixture
    )


# --- the matrix ------------------------------------------------------------------------------------------

DRAFT = Collection.State.DRAFT
VERIFIED = Collection.State.VERIFIED


def _pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


def _token(name):
    return lambda w: {"token": w.links[name].token}


def _answer_version(questionnaire_attr_or_link, code="q_likert"):
    def data(w):
        target = questionnaire_attr_or_link(w)
        answer = target.answers.filter(question=w.q(code)).first()
        return {"question": w.q(code).pk, "value": "2", "base_version": answer.version if answer else 0}

    return data


def _excel_template(w):
    from assessments.bulk import workbook as excel

    return {"berkas": SimpleUploadedFile("kuesioner.xlsx", excel.build_template(w.coll_a, w.kel))}


def _user_sheet(_w):
    return {
        "berkas": SimpleUploadedFile(
            "pengguna.csv", b"nama,email,peran,kode_wilayah\nSiti,siti@example.test,bnnk,3573\n"
        )
    }


A_SHOWN = r(LOGIN, SHOWS_A, 404, SHOWS_A, 404, SHOWS_A)  # like A_PAGE, and the page names A
LIST_WITH_A = r(LOGIN, SHOWS_A, 200, SHOWS_A, 200, SHOWS_A)  # every user, A only to its owners
ENTRY_WRITE = r(LOGIN, WRITES, 404, REFUSED, 404, REFUSED)  # A's BNNK writes; BNNP A and pusat only read
REVIEW_WRITE = r(LOGIN, REFUSED, 404, WRITES, 404, REFUSED)  # the BNNP of A's province acts
PUSAT_WRITE = r(LOGIN, REFUSED, 404, REFUSED, 404, WRITES)  # BNN pusat acts on A
EXCEL = r(LOGIN, 200, 404, 403, 404, 403)  # only A's BNNK (another role of A's scope: 403)

FIELD = r(401, 200, 404, 403, 404, 403)  # the field kit's JSON: only A's BNNK, signed out a 401 JSON
FIELD_WRITE = r(401, WRITES, 404, 403, 404, 403)


def _field_item(w):
    """One questionnaire queued offline, as the field kit's client sends it."""
    return {
        "uuid": str(uuid.uuid4()),
        "group": "keluarga",
        "label": "Lapangan",
        "answers": [{"question": w.q("q_likert").pk, "value": "4", "base_version": 0}],
        "complete": False,
    }


def _plan_item(w):
    """A valid action item form for A's plan (plans.forms.ItemForm)."""
    return {
        "indicators": [Indicator.objects.get(variable__instrument=w.period.instrument, code="KL1").pk],
        "strategy": "penguatan_kelembagaan",
        "agency": w.extras["plan_item"].agency_id,
        "activity": "Rapat koordinasi Tim Terpadu",
        "expected_output": "Notulen dan rencana tindak lanjut",
        "target_date": f"{YEAR + 1}-06-30",
        "budget": "5000000",
        "budget_source": "APBD",
    }


# Every URL name of the project (the admin site: ADMIN_OVERRIDES below). A list holds variants.
MATRIX: dict[str, Case | list[Case]] = {
    # --- django.contrib.auth and i18n ---
    "login": Case(get=same(200)),
    "logout": Case(get=same(405), post=same(LOGIN)),
    "password_change": Case(get=EVERY_USER),
    "password_change_done": Case(get=EVERY_USER),
    "password_reset": Case(get=same(200)),
    "password_reset_done": Case(get=same(200)),
    "password_reset_confirm": Case(get=same(200), args=lambda w: {"uidb64": "MQ", "token": "tidak-sah"}),
    "password_reset_complete": Case(get=same(200)),
    "set_language": Case(get=same(GO), post=same(GO), data=lambda w: {"language": "en", "next": "/"}),
    # --- two-factor sign-in (accounts.views_two_factor): everyone's own account; here nobody has a device
    # and none is required (as with DEBUG on; tests/test_two_factor.py has it required) ---
    "two_factor:security": Case(get=EVERY_USER),
    "two_factor:verify": Case(get=r(LOGIN, GO, GO, GO, GO, GO), post=r(LOGIN, GO, GO, GO, GO, GO)),
    # A code sent before the page made the secret: refused, nothing made (the GET makes it).
    "two_factor:setup": Case(get=EVERY_USER, post=r(LOGIN, *[REFUSED] * 5)),
    "two_factor:backup_codes": Case(get=r(LOGIN, GO, GO, GO, GO, GO)),  # nothing to show once
    "two_factor:backup_codes_new": Case(get=POST_ONLY_ANY, post=r(LOGIN, *[REFUSED] * 5)),  # no device
    "two_factor:turn_off": Case(get=POST_ONLY_ANY, post=r(LOGIN, *[REFUSED] * 5)),
    # --- home and regions ---
    "home": Case(get=EVERY_USER),
    # The instrument admin's old addresses (before issue 13 moved it to the instruments app): a redirect for
    # everyone; the admin page it leads to asks for the login and the permission.
    "admin_instruments_moved": Case(get=same(GO), post=same(GO), args=lambda w: {"rest": "instrument/"}),
    "service_worker": Case(get=same(200)),  # /sw.js: static URLs only, for anyone (registered when signed in)
    "web_manifest": Case(get=same(200)),  # /manifest.webmanifest
    "healthz": Case(get=same(200)),  # kotan/infra/health.py: "ok" to anyone, no database (bench/load.py)
    "readyz": Case(get=same(200)),  # kotan/infra/health.py: readiness JSON to anyone (tasks eager here: "ok")
    "regions:list": Case(get=LIST_WITH_A),
    "regions:province": Case(
        get=r(LOGIN, SHOWS_A, 200, SHOWS_A, 404, SHOWS_A), args=lambda w: {"code": "35"}
    ),
    "regions:regency": Case(get=A_SHOWN, args=lambda w: {"code": w.a.code}),
    # --- survey: collections and questionnaires ---
    "assessments:my_collection": Case(get=r(LOGIN, GO, GO, GO, GO, GO)),
    "assessments:collection_list": [
        Case(get=LIST_WITH_A),
        Case(get=LIST_WITH_A, query=f"tahun={YEAR}", label="with year"),
    ],
    "assessments:collection": Case(get=A_SHOWN),
    "assessments:collection_submit": Case(get=POST_ONLY, post=ENTRY_WRITE, state=DRAFT),
    "assessments:questionnaire_new": Case(
        get=r(LOGIN, 200, 404, REFUSED, 404, REFUSED),
        post=ENTRY_WRITE,
        data=lambda w: {
            "group": w.kel.pk,
            "label": "Baru",
            "filled_on": timezone.localdate().isoformat(),
        },
        state=DRAFT,
    ),
    "assessments:questionnaire": [
        Case(get=A_PAGE, args=_pk("q_draft")),
        Case(
            get=r(LOGIN, 404, 200, 200, 404, 200),
            args=lambda w: {"pk": w.links["other"].questionnaire_id},
            label="B's questionnaire",
        ),
    ],
    "assessments:answer_save": Case(
        get=POST_ONLY_ANY,
        post=r(401, WRITES, 404, 403, 404, 403),
        args=_pk("q_draft"),
        data=_answer_version(lambda w: w.q_draft),
        state=DRAFT,
    ),
    "assessments:questionnaire_complete": Case(
        get=POST_ONLY, post=ENTRY_WRITE, args=_pk("q_draft"), state=DRAFT
    ),
    "assessments:questionnaire_next": Case(get=POST_ONLY, post=ENTRY_WRITE, args=_pk("q_draft"), state=DRAFT),
    # --- excel bulk entry (only A's BNNK) ---
    "assessments:excel_template": Case(get=EXCEL),
    "assessments:excel_upload": Case(
        get=EXCEL, post=r(LOGIN, GO, 404, 403, 404, 403), data=_excel_template, state=DRAFT
    ),
    "assessments:excel_preview": Case(get=r(LOGIN, GO, 404, 403, 404, 403), state=DRAFT),
    "assessments:excel_apply": Case(
        get=POST_ONLY_ANY,
        post=r(LOGIN, GO, 404, 403, 404, 403),
        data=lambda w: {"unggahan": "x" * 32},
        state=DRAFT,
    ),
    "assessments:excel_cancel": Case(get=POST_ONLY_ANY, post=r(LOGIN, GO, 404, 403, 404, 403), state=DRAFT),
    # --- field kit: JSON for the offline client (only A's BNNK; signed out: a 401 JSON, not a redirect) ---
    "assessments:fieldkit_session": Case(get=r(401, SHOWS_A, 200, 200, 200, 200), post=same(405)),
    "assessments:fieldkit_package": Case(get=FIELD, post=same(405)),  # also once submitted
    "assessments:fieldkit_sync": [
        Case(get=POST_ONLY_ANY, post=FIELD_WRITE, data=_field_item, json=True, state=DRAFT),
        Case(
            get=POST_ONLY_ANY,
            post=r(401, 403, 404, 403, 404, 403),
            data=_field_item,
            json=True,
            label="collection submitted",
        ),
    ],
    "assessments:fieldkit_photo": Case(
        get=POST_ONLY_ANY,
        post=FIELD_WRITE,
        data=lambda w: {"uuid": str(uuid.uuid4()), "file": SimpleUploadedFile("foto.jpg", JPEG)},
        state=DRAFT,
    ),
    # The queue as Excel templates: also once submitted (a last resort), and it writes nothing.
    "assessments:fieldkit_export": Case(
        get=POST_ONLY_ANY,
        post=r(401, SHOWS_A, 404, 403, 404, 403),
        data=lambda w: {"questionnaires": [_field_item(w)]},
        json=True,
    ),
    # The field page: A's BNNK sees its collection to prepare; B's BNNK its own; other roles an explanation.
    "assessments:fieldkit_home": Case(get=r(LOGIN, SHOWS_A, 200, 200, 200, 200)),
    "assessments:fieldkit_offline": Case(
        get=same(200)
    ),  # the service worker's offline page: no user, no data
    # --- respondent links: staff pages ---
    "assessments:link_list": Case(get=A_PAGE),
    "assessments:link_create": Case(
        get=POST_ONLY, post=ENTRY_WRITE, data=lambda w: {"group": w.kel.pk, "label": "RT 02"}, state=DRAFT
    ),
    "assessments:link_detail": [
        Case(get=r(LOGIN, 200, 404, 404, 404, 404), args=lambda w: {"pk": w.links["valid"].pk}),
        Case(
            get=r(LOGIN, 404, 200, 404, 404, 404),
            args=lambda w: {"pk": w.links["other"].pk},
            label="B's link",
        ),
    ],
    # --- respondent links: the public pages (anyone holding the token; the header names the kab/kota
    # that asks, so A's name is public there) ---
    "respondent:page": [
        Case(get=same(200), args=_token("valid"), state=DRAFT, label="valid link of A", shows_a_to_all=True),
        Case(get=same(200), args=_token("other"), state=DRAFT, label="link of B's collection"),
        Case(get=same(410), args=_token("used"), state=DRAFT, label="used link"),
        Case(get=same(410), args=_token("expired"), state=DRAFT, label="expired link"),
        Case(get=same(410), args=_token("valid"), label="valid link, collection submitted"),
        Case(get=same(404), args=lambda w: {"token": "x" * 43}, state=DRAFT, label="unknown token"),
    ],
    "respondent:save": [
        Case(
            get=POST_ONLY_ANY,
            post=same(WRITES),
            args=_token("valid"),
            data=_answer_version(lambda w: w.links["valid"].questionnaire),
            state=DRAFT,
            label="valid link of A",
        ),
        Case(
            get=POST_ONLY_ANY,
            post=same(WRITES),
            args=_token("other"),
            data=_answer_version(lambda w: w.links["other"].questionnaire),
            state=DRAFT,
            label="link of B's collection (writes B's questionnaire only)",
        ),
        Case(
            get=POST_ONLY_ANY,
            post=same(403),
            args=_token("used"),
            data=_answer_version(lambda w: w.links["used"].questionnaire),
            state=DRAFT,
            label="used link",
        ),
        Case(
            get=POST_ONLY_ANY,
            post=same(403),
            args=_token("expired"),
            data=_answer_version(lambda w: w.links["expired"].questionnaire),
            state=DRAFT,
            label="expired link",
        ),
        Case(
            get=POST_ONLY_ANY,
            post=same(403),
            args=_token("valid"),
            data=_answer_version(lambda w: w.links["valid"].questionnaire),
            label="valid link, collection submitted",
        ),
        Case(
            get=POST_ONLY_ANY,
            post=same(404),
            args=lambda w: {"token": "x" * 43},
            data=_answer_version(lambda w: w.links["valid"].questionnaire),
            state=DRAFT,
            label="unknown token",
        ),
    ],
    "respondent:complete": [
        Case(
            get=POST_ONLY_ANY,
            post=same(WRITES),
            args=_token("valid"),
            state=DRAFT,
            label="valid link of A",
            shows_a_to_all=True,
        ),
        Case(
            get=POST_ONLY_ANY,
            post=same(400),
            args=_token("other"),
            state=DRAFT,
            label="B's link, unanswered",
        ),
        Case(get=POST_ONLY_ANY, post=same(410), args=_token("used"), state=DRAFT, label="used link"),
        Case(get=POST_ONLY_ANY, post=same(410), args=_token("expired"), state=DRAFT, label="expired link"),
        Case(
            get=POST_ONLY_ANY,
            post=same(410),
            args=_token("valid"),
            label="valid link, collection submitted",
        ),
        Case(
            get=POST_ONLY_ANY,
            post=same(404),
            args=lambda w: {"token": "x" * 43},
            state=DRAFT,
            label="unknown",
        ),
    ],
    # --- evidence and history ---
    "assessments:evidence_upload": Case(
        get=r(LOGIN, 200, 404, REFUSED, 404, REFUSED),
        post=ENTRY_WRITE,
        data=lambda w: {"file": SimpleUploadedFile("sk2.pdf", PDF), "title": "SK baru"},
        state=DRAFT,
    ),
    "assessments:evidence_download": Case(get=A_PAGE, args=_pk("evidence")),
    "assessments:evidence_delete": Case(get=POST_ONLY, post=ENTRY_WRITE, args=_pk("evidence"), state=DRAFT),
    "assessments:history": [
        Case(get=A_PAGE),
        Case(get=A_PAGE, query="jenis=jawaban&hal=2", label="filtered, page 2"),
    ],
    # --- review, finalise, reopen, extend, replies, progress ---
    "assessments:review": Case(get=r(LOGIN, 403, 404, 200, 404, 200)),
    "assessments:review_exclude": [
        Case(get=POST_ONLY, post=REVIEW_WRITE, args=_pk("q_complete"), data=lambda w: {"alasan": "Ganda"}),
        Case(
            get=POST_ONLY,
            post=r(LOGIN, 404, 404, 404, 404, 404),
            args=lambda w: {"pk": w.links["other"].questionnaire_id},
            data=lambda w: {"alasan": "Ganda"},
            label="B's questionnaire under A's URL",
        ),
        Case(
            get=POST_ONLY,
            post=r(LOGIN, 404, 404, 404, 404, 404),
            args=lambda w: {"regency_code": w.b.code, "pk": w.q_complete.pk},
            data=lambda w: {"alasan": "Ganda"},
            label="A's questionnaire under B's URL",
        ),
    ],
    "assessments:review_include": Case(get=POST_ONLY, post=REVIEW_WRITE, args=_pk("q_excluded")),
    "assessments:review_return": Case(
        get=POST_ONLY, post=REVIEW_WRITE, data=lambda w: {"target": ["general"], "text": ["Perbaiki"]}
    ),
    "assessments:review_verify": Case(get=POST_ONLY, post=REVIEW_WRITE),
    "assessments:review_finalize": Case(get=POST_ONLY, post=PUSAT_WRITE, state=VERIFIED),
    "assessments:review_reopen": Case(
        get=POST_ONLY, post=PUSAT_WRITE, data=lambda w: {"alasan": "Periksa ulang"}, state=VERIFIED
    ),
    "assessments:deadline_extend": Case(
        get=POST_ONLY,
        post=PUSAT_WRITE,
        data=lambda w: {
            "sampai": (w.period.collection_deadline + datetime.timedelta(days=7)).isoformat(),
            "alasan": "Banjir",
        },
        state=DRAFT,
    ),
    "assessments:comment_reply": Case(
        get=POST_ONLY,
        post=r(LOGIN, WRITES, 404, WRITES, 404, REFUSED),
        args=_pk("comment"),
        data=lambda w: {"text": "Balasan baru"},
    ),
    "assessments:progress": [
        Case(get=r(LOGIN, GO, GO, SHOWS_A, 200, 200)),
        Case(get=r(LOGIN, GO, GO, SHOWS_A, 200, SHOWS_A), query="provinsi=35", label="province of A"),
    ],
    # --- action plans (/rencana-aksi/, plans.views): A's BNNK writes, its BNNP and pusat read. A's plan
    # exists in the world (plans_world), so a second "Susun" is refused with the reason even for A's BNNK
    # (creating one: tests/test_plans_views.py) ---
    "plans:plan": Case(get=A_SHOWN, state=VERIFIED),
    "plans:plan_create": Case(
        get=POST_ONLY, post=r(LOGIN, REFUSED, 404, REFUSED, 404, REFUSED), state=VERIFIED, label="plan exists"
    ),
    "plans:item_new": Case(
        get=r(LOGIN, 200, 404, REFUSED, 404, REFUSED), post=ENTRY_WRITE, data=_plan_item, state=VERIFIED
    ),
    "plans:item_edit": Case(
        get=r(LOGIN, 200, 404, REFUSED, 404, REFUSED),
        post=ENTRY_WRITE,
        args=lambda w: {"pk": w.extras["plan_item"].pk},
        data=_plan_item,
        state=VERIFIED,
    ),
    "plans:item_status": Case(
        get=POST_ONLY,
        post=ENTRY_WRITE,
        args=lambda w: {"pk": w.extras["plan_item"].pk},
        data=lambda w: {"status": "berjalan"},
    ),
    "plans:item_drop": Case(get=POST_ONLY, post=ENTRY_WRITE, args=lambda w: {"pk": w.extras["plan_item"].pk}),
    "plans:plan_document": Case(get=POST_ONLY, post=ENTRY_WRITE, data=lambda w: {"evidence": w.evidence.pk}),
    "plans:agency_rename": Case(
        get=POST_ONLY,
        post=ENTRY_WRITE,
        args=lambda w: {"pk": w.extras["plan_item"].agency_id},
        data=lambda w: {"name": "Badan Kesbangpol"},
    ),
    "plans:agency_add": Case(get=POST_ONLY, post=ENTRY_WRITE, data=lambda w: {"name": "BPBD"}),
    # --- action plans, national (plans.national): the page is BNN pusat's; the export of every item is
    # pusat's, a BNNP's for its province (the other BNNP gets the header only), a BNNK's a 404 ---
    "plans:national": Case(get=r(LOGIN, 404, 404, 404, 404, 200), state=VERIFIED),
    "plans:export_csv": Case(get=r(LOGIN, 404, 404, SHOWS_A, 200, SHOWS_A), state=VERIFIED),
    "plans:export_xlsx": Case(get=r(LOGIN, 404, 404, SHOWS_A, 200, SHOWS_A), state=VERIFIED),
    # --- monev of action plans (plans.monev): the BNNP of A's province records follow-ups; it and A's BNNK
    # comment; pusat reads; the province page is for the BNNP and pusat (a BNNK: 403) ---
    "plans:province": Case(get=r(LOGIN, 403, 403, 200, 404, 200), args=lambda w: {"code": "35"}),
    "plans:follow_up_add": Case(
        get=POST_ONLY,
        post=r(LOGIN, REFUSED, 404, WRITES, 404, REFUSED),
        args=lambda w: {"pk": w.extras["plan_item"].pk},
        data=lambda w: {"date": timezone.localdate().isoformat(), "progress": "20", "note": "Cek lapangan"},
    ),
    "plans:comment_add": Case(
        get=POST_ONLY,
        post=r(LOGIN, WRITES, 404, WRITES, 404, REFUSED),
        data=lambda w: {"text": "Mohon dipercepat"},
    ),
    "plans:follow_up_file": Case(
        get=r(LOGIN, 200, 404, 200, 404, 200), post=POST_ONLY, args=lambda w: {"pk": w.extras["follow_up"].pk}
    ),
    # --- the plan's signed copy (plans.signed): A's BNNK uploads (through the evidence checks); whoever
    # sees A reads it ---
    "plans:signed_upload": Case(
        get=POST_ONLY, post=ENTRY_WRITE, data=lambda w: {"file": SimpleUploadedFile("ttd-baru.pdf", PDF)}
    ),
    "plans:signed_file": Case(get=r(LOGIN, 200, 404, 200, 404, 200), post=POST_ONLY),
    # --- dashboards, exports, PDF reports (/laporan/) ---
    "reports:index": Case(get=r(LOGIN, GO, GO, GO, GO, GO)),
    "reports:national": Case(get=r(LOGIN, GO, GO, GO, GO, SHOWS_A), state=VERIFIED),
    "reports:province": Case(get=r(LOGIN, GO, GO, SHOWS_A, 404, SHOWS_A), args=lambda w: {"code": "35"}),
    "reports:regency": Case(get=A_SHOWN, args=lambda w: {"code": w.a.code}),
    "reports:ranking_csv": [
        Case(get=LIST_WITH_A, state=VERIFIED),
        Case(get=r(LOGIN, 404, 404, 404, 404, 404), args=lambda w: {"year": 1999}, label="unknown year"),
    ],
    "reports:ranking_xlsx": Case(get=LIST_WITH_A, state=VERIFIED),
    "reports:report_pdf": Case(get=r(LOGIN, 404, 404, 404, 404, 202), args=lambda w: {"scope": "nasional"}),
    "reports:report_pdf_scoped": [
        Case(
            get=r(LOGIN, 404, 404, 202, 404, 202),
            args=lambda w: {"scope": "provinsi", "key": "35"},
            label="province of A (not rendered yet)",
        ),
        Case(
            get=r(LOGIN, 200, 404, 200, 404, 200),
            args=lambda w: {"scope": "kabkota", "key": w.a.code},
            label="A (cached PDF)",
        ),
        Case(
            get=r(LOGIN, 404, 202, 202, 404, 202),
            args=lambda w: {"scope": "kabkota", "key": w.b.code},
            label="B (not rendered yet)",
        ),
        Case(
            get=r(LOGIN, 404, 404, 404, 404, 404),
            args=lambda w: {"scope": "kabkota", "key": "3515"},
            label="a kab/kota with no score (can never be rendered)",
        ),
        Case(
            get=r(LOGIN, 200, 404, 200, 404, 200),
            args=lambda w: {"scope": "rencana-aksi", "key": w.a.code},
            label="A's action plan (rendered)",
        ),
        Case(
            get=r(LOGIN, 404, 404, 404, 404, 404),
            args=lambda w: {"scope": "rencana-aksi", "key": w.b.code},
            label="B has no action plan",
        ),
    ],
    # a report link's state (the fragment htmx polls) and "Siapkan PDF": refused as the download is
    "reports:report_pdf_status": Case(
        get=r(LOGIN, 404, 404, 404, 404, 200), args=lambda w: {"scope": "nasional"}
    ),
    "reports:report_pdf_status_scoped": [
        Case(
            get=r(LOGIN, 404, 404, 200, 404, 200),
            args=lambda w: {"scope": "provinsi", "key": "35"},
            label="province of A",
        ),
        Case(get=r(LOGIN, 200, 404, 200, 404, 200), args=lambda w: {"scope": "kabkota", "key": w.a.code}),
        Case(
            get=r(LOGIN, 200, 404, 200, 404, 200),
            args=lambda w: {"scope": "rencana-aksi", "key": w.a.code},
            label="A's action plan",
        ),
        Case(
            get=r(LOGIN, 404, 200, 200, 404, 200),
            args=lambda w: {"scope": "kabkota", "key": w.b.code},
            label="B",
        ),
        Case(
            get=r(LOGIN, 404, 404, 200, 404, 200),
            args=lambda w: {"scope": "kabkota", "key": "3515"},
            label="a kab/kota with no score (says so)",
        ),
    ],
    "reports:report_pdf_prepare": Case(
        get=POST_ONLY_ANY, post=r(LOGIN, 404, 404, 404, 404, WRITES), args=lambda w: {"scope": "nasional"}
    ),
    "reports:report_pdf_prepare_scoped": [
        Case(
            get=POST_ONLY_ANY,
            post=r(LOGIN, 404, 404, WRITES, 404, WRITES),
            args=lambda w: {"scope": "provinsi", "key": "35"},
            label="province of A (not rendered yet: queued)",
        ),
        Case(
            get=POST_ONLY_ANY,
            post=r(LOGIN, GO, 404, GO, 404, GO),
            args=lambda w: {"scope": "kabkota", "key": w.a.code},
            label="A (cached PDF: nothing to do)",
        ),
        Case(
            get=POST_ONLY_ANY,
            post=r(LOGIN, GO, 404, GO, 404, GO),
            args=lambda w: {"scope": "rencana-aksi", "key": w.a.code},
            label="A's action plan (rendered: nothing to do)",
        ),
        Case(
            get=POST_ONLY_ANY,
            post=r(LOGIN, 404, WRITES, WRITES, 404, WRITES),
            args=lambda w: {"scope": "kabkota", "key": w.b.code},
            label="B (not rendered yet: queued)",
        ),
        Case(
            get=POST_ONLY_ANY,
            post=r(LOGIN, 404, 404, 404, 404, 404),
            args=lambda w: {"scope": "kabkota", "key": "3515"},
            label="a kab/kota with no score (nothing to render)",
        ),
    ],
    # the action plan's DOCX, rendered with its PDF (reports.plan_document): read as A's plan is
    "reports:plan_docx": [
        Case(get=r(LOGIN, 200, 404, 200, 404, 200), args=lambda w: {"key": w.a.code}),
        Case(get=r(LOGIN, 404, 404, 404, 404, 404), args=lambda w: {"key": w.b.code}, label="B (no plan)"),
    ],
    "reports:render_again": Case(get=POST_ONLY_ANY, post=r(LOGIN, 404, 404, 404, 404, GO)),
    # --- notifications (A's BNNK has one about its returned collection) ---
    "notifications:list": Case(get=EVERY_USER),
    "notifications:unread_count": Case(get=EVERY_USER),
    "notifications:open": Case(get=r(LOGIN, GO, 404, 404, 404, 404), args=_pk("notification")),
    "notifications:mark_read": Case(
        get=POST_ONLY_ANY, post=r(LOGIN, WRITES, 404, 404, 404, 404), args=_pk("notification")
    ),
    "notifications:mark_all_read": Case(get=POST_ONLY_ANY, post=r(LOGIN, WRITES, GO, WRITES, GO, GO)),
    # --- bulk user import (BNN pusat) ---
    "accounts:import_upload": Case(get=PUSAT_ONLY, post=r(LOGIN, 403, 403, 403, 403, GO), data=_user_sheet),
    "accounts:import_preview": Case(get=r(LOGIN, 403, 403, 403, 403, GO)),
    "accounts:import_create": Case(
        get=POST_ONLY_ANY, post=r(LOGIN, 403, 403, 403, 403, REFUSED), data=lambda w: {"impor": "x"}
    ),
    "accounts:import_cancel": Case(get=POST_ONLY_ANY, post=r(LOGIN, 403, 403, 403, 403, GO)),
    "accounts:import_example": Case(get=PUSAT_ONLY),
    "accounts:invitation_resend": Case(
        get=POST_ONLY_ANY,
        post=r(LOGIN, 403, 403, 403, 403, GO),
        data=lambda w: {"email": w.extras["invited"].email},
    ),
    # --- the read-only API (/api/) ---
    # /api/ lists the endpoints and the schema/docs links, public like those two (no data); django-ninja's
    # own "api-root" name is the same path, now answered by "api:root".
    "api:api-root": Case(get=same(200)),
    "api:root": Case(get=same(200)),
    "api:openapi-json": Case(get=same(200)),
    "api:openapi-view": Case(get=same(200)),
    "api:periods": Case(get=r(401, 200, 200, 200, 200, 200)),
    "api:period_detail": [
        Case(get=r(401, 200, 200, 200, 200, 200)),
        Case(get=r(401, 404, 404, 404, 404, 404), args=lambda w: {"year": 1999}, label="unknown year"),
    ],
    "api:scores": [
        Case(get=r(401, SHOWS_A, 200, SHOWS_A, 200, SHOWS_A)),
        Case(get=r(401, SHOWS_A, 200, SHOWS_A, 200, SHOWS_A), token=True, label="personal token"),
    ],
    "api:ranking": [
        Case(get=r(401, SHOWS_A, 200, SHOWS_A, 200, SHOWS_A), state=VERIFIED),
        Case(
            get=r(401, SHOWS_A, 200, SHOWS_A, 200, SHOWS_A),
            state=VERIFIED,
            token=True,
            label="personal token",
        ),
    ],
}

# The admin site. BNN pusat is staff in the group "BNN pusat" (accounts.staff) and gets exactly the pages
# below; the other roles are not staff, so every admin URL sends them (and anonymous) to the admin login,
# except the login page itself and logout. Every admin URL is requested with GET by every role; the POSTs
# (bulk actions, add, change, delete, all with an empty body), whose refusal is checked against the
# database, are sent by anonymous and BNN pusat (the other roles go through the same staff check). An
# accepted empty POST redisplays its form (200) and must change nothing.
NOT_STAFF = r(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, SKIP)


def admin_case(pusat_get: Outcome, pusat_post: Outcome = SKIP, *, args=None, data=None, label="") -> Case:
    """An admin URL: not staff to the admin login, BNN pusat as given (a POST only when pusat_post)."""
    get = (*NOT_STAFF[:-1], pusat_get)
    post = r(ADMIN_LOGIN, SKIP, SKIP, SKIP, SKIP, pusat_post) if pusat_post is not SKIP else None
    return Case(get=get, post=post, args=args, data=data, label=label)


def _object(getter):
    return lambda w: {"object_id": getter(w)}


def _indicator(w):
    return Indicator.objects.filter(variable__instrument=w.period.instrument).order_by("pk").first().pk


# Per admin model: its object (A's or the test instrument's: in use, so locked), and for BNN pusat the pages
# answering 200 to a GET and to an empty POST; every other page of the model answers 403. ("change" of a
# view-only model is its read-only page.) Every model admin must be listed (an admin URL not declared fails
# test_every_url_is_declared...); one closed to BNN pusat lists no page.
NO_SUCH_ID = 987654321
VIEW_PAGES = {"changelist", "change", "history"}
POST_VIEW = {"changelist", "history"}  # the changelist (no action chosen) and the history only read
PUSAT_ADMIN = {
    # Band schemes: everything (the scheme in use is protected: its delete page says why, 200).
    "instruments_bandscheme": (
        lambda w: w.period.instrument.band_scheme_id,
        {"changelist", "add", "change", "delete", "history"},
        {"changelist", "add", "change", "delete", "history"},
    ),
    # The instrument is locked (a period using it has questionnaires): view, copy, export; add a new one.
    "instruments_instrument": (
        lambda w: w.period.instrument_id,
        {"changelist", "add", "change", "history"},
        {"changelist", "add", "history"},
    ),
    # Children of the locked instrument: read-only; they are added on their parent's page, never here.
    "instruments_variable": (
        lambda w: w.period.instrument.variables.order_by("pk").first().pk,
        VIEW_PAGES,
        POST_VIEW,
    ),
    "instruments_indicator": (_indicator, VIEW_PAGES, POST_VIEW),
    "instruments_question": (lambda w: w.q("q_likert").pk, VIEW_PAGES, POST_VIEW),
    "instruments_evidencetype": (lambda w: w.evidence.evidence_type_id, VIEW_PAGES, POST_VIEW),
    # Periods: add and change, never delete.
    "assessments_period": (
        lambda w: w.period.pk,
        {"changelist", "add", "change", "history"},
        {"changelist", "add", "change", "history"},
    ),
    # Survey data, regions and users: view only.
    "assessments_collection": (lambda w: w.coll_a.pk, VIEW_PAGES, POST_VIEW),
    "assessments_questionnaire": (lambda w: w.q_complete.pk, VIEW_PAGES, POST_VIEW),
    "assessments_evidence": (lambda w: w.evidence.pk, VIEW_PAGES, POST_VIEW),
    "assessments_respondentlink": (lambda w: w.links["valid"].pk, VIEW_PAGES, POST_VIEW),
    "regions_province": (lambda w: w.a.province_id, VIEW_PAGES, POST_VIEW),
    "regions_regency": (lambda w: w.a.pk, VIEW_PAGES, POST_VIEW),
    "accounts_user": (lambda w: w.users["bnnk_a"].pk, VIEW_PAGES, POST_VIEW),
    # Closed: groups and permissions (the BNN pusat group itself), notifications, login attempts.
    "auth_group": (lambda w: Group.objects.get(name=PUSAT_GROUP).pk, set(), set()),
    "notifications_notification": (lambda w: w.notification.pk, set(), set()),
    "axes_accessattempt": (lambda w: NO_SUCH_ID, set(), set()),
    "axes_accesslog": (lambda w: NO_SUCH_ID, set(), set()),
    "axes_accessfailurelog": (lambda w: NO_SUCH_ID, set(), set()),
}
ADMIN_PAGES = ("changelist", "add", "change", "delete", "history")


def _admin_model_cases() -> dict[str, Case]:
    cases = {}
    for model, (obj, get_ok, post_ok) in PUSAT_ADMIN.items():
        args = _object(obj)
        for page in ADMIN_PAGES:
            cases[f"admin:{model}_{page}"] = admin_case(
                200 if page in get_ok else 403, 200 if page in post_ok else 403, args=args
            )
        # /admin/<app>/<model>/<id>/ only redirects to the change page (the admin's own shortcut).
        app, _sep, name = model.partition("_")
        cases[f"<admin/{app}/{name}/<path:object_id>/>"] = admin_case(GO, args=args)
    return cases


ADMIN_OVERRIDES = {
    **_admin_model_cases(),
    # Staff: the login page sends BNN pusat on to the index; the others log in there.
    "admin:login": Case(get=r(200, 200, 200, 200, 200, GO)),
    # Logout is POST only for staff (405) and sends BNN pusat to the site's login; the others: to the index.
    "admin:logout": Case(get=r(GO, GO, GO, GO, GO, 405), post=r(GO, SKIP, SKIP, SKIP, SKIP, LOGIN)),
    # Login records: an id that never exists (axes writes some at every login). The change and delete pages
    # check the permission first (403 above); the history page looks the object up first: to the index.
    "admin:axes_accessattempt_history": admin_case(GO, GO, args=_object(lambda w: NO_SUCH_ID)),
    "admin:axes_accesslog_history": admin_case(GO, GO, args=_object(lambda w: NO_SUCH_ID)),
    "admin:axes_accessfailurelog_history": admin_case(GO, GO, args=_object(lambda w: NO_SUCH_ID)),
    "admin:index": admin_case(200),
    "admin:app_list": admin_case(200),
    "admin:jsi18n": admin_case(200),
    # Their own password only, as on the site (the other users' password page is closed, below).
    "admin:password_change": admin_case(200, 200),
    "admin:password_change_done": admin_case(200),
    "admin:auth_user_password_change": admin_case(403, 403),
    "admin:autocomplete": admin_case(403),  # no field of a model BNN pusat may change autocompletes
    "admin:view_on_site": admin_case(ANY_4XX),
    "<admin/(?P<url>.*)$>": admin_case(404),
    # The instrument's own pages: import (a new instrument), export and copy (the locked one).
    "admin:instruments_instrument_import": admin_case(200, 200),
    "admin:instruments_instrument_export": admin_case(200),
    "admin:instruments_instrument_copy": [
        admin_case(200, 200),
        admin_case(
            200,
            WRITES,
            data=lambda w: {"version": "SALINAN-UJI", "name": "Salinan uji"},
            label="a new version",
        ),
    ],
}
# Not URL patterns, but paths a browser could try: uploaded files are never served from MEDIA_URL, only
# through the scope-checked download views above.
MEDIA_PATHS = {
    "<MEDIA_URL: A's evidence file>": (lambda w: w.evidence.file.name, Case(get=same(404))),
    "<MEDIA_URL: a follow-up file of A's plan>": (
        lambda w: w.extras["follow_up"].file.name,
        Case(get=same(404)),
    ),
    "<MEDIA_URL: the signed copy of A's plan>": (
        lambda w: ActionPlan.objects.get(collection=w.coll_a).signed_file.name,
        Case(get=same(404)),
    ),
    "<MEDIA_URL: the DOCX of A's plan>": (
        lambda w: RenderedReport.objects.get(scope_kind="plan", kind="docx").file.name,
        Case(get=same(404)),
    ),
    "<MEDIA_URL: A's cached PDF>": (
        lambda w: RenderedReport.objects.get(scope_kind="regency", scope_key=w.a.code).file.name,
        Case(get=same(404)),
    ),
}


# --- the URL patterns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    key: str  # "namespace:name", or "<route>" for an unnamed pattern
    route: str  # the full path pattern (route syntax and regex parts), relative to /
    admin: bool  # under the admin site


def url_entries(patterns=None, prefix: str = "", namespace: str | None = None, in_admin: bool = False):
    """Every URL pattern of the project, included ones too, with its namespaced name and full route."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            admin_here = in_admin or p.app_name == django_admin.site.name
            found += url_entries(p.url_patterns, prefix + str(p.pattern), ns, admin_here)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            key = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else f"<{route}>"
            found.append(Entry(key, route, in_admin))
    return found


def build_path(route: str, values: dict) -> str:
    """The path of a route (RoutePattern and regex parts alike) with the given parameter values."""

    def sub_route(m):
        return str(values[m.group(1)])

    # Named regex groups first: their "<name>" would otherwise be taken for a route parameter.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", sub_route, route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", sub_route, path)
    path = path.replace("^", "").replace("$", "")
    return "/" + path


def default_args(world: World) -> dict:
    return {
        "year": world.period.year,
        "regency_code": world.a.code,
        "group_code": "keluarga",
        "token": world.links["valid"].token,
        # admin parameters
        "object_id": world.coll_a.pk,
        "id": world.users["bnnk_a"].pk,
        "content_type_id": 1,
        "app_label": "assessments",
        "url": "tidak-ada/",
        "pk": world.period.instrument_id,  # admin instrument export/copy
    }


def cases_for(entry: Entry) -> list[Case] | None:
    declared = ADMIN_OVERRIDES.get(entry.key) if entry.admin else MATRIX.get(entry.key)
    if declared is None:
        return None
    return declared if isinstance(declared, list) else [declared]


UNDECLARED = (
    "URL {key!r} ({route}) is not in the access matrix. Declare what each role gets in MATRIX in "
    "tests/test_access_matrix.py (anonymous, BNNK A, BNNK B, BNNP A, BNNP other, pusat), with a POST row "
    "if it accepts POST (an admin URL: in ADMIN_OVERRIDES, a new model admin in PUSAT_ADMIN)."
)


def test_every_url_is_declared_and_every_declaration_is_a_url():
    entries = url_entries()
    keys = {e.key for e in entries}
    missing = [UNDECLARED.format(key=e.key, route=e.route) for e in entries if cases_for(e) is None]
    assert not missing, "\n".join(missing)
    stale = sorted(set(MATRIX) - keys) + sorted(set(ADMIN_OVERRIDES) - keys)
    assert not stale, f"Declared but no such URL (renamed or removed?): {stale}"
    # Sanity: the walk sees the apps, the respondent pages, the API and the admin site.
    for key in (
        "assessments:collection",
        "respondent:page",
        "reports:ranking_xlsx",
        "api:scores",
        "admin:index",
    ):
        assert key in keys
    for case in (c for e in entries if not e.admin for c in cases_for(e)):
        assert len(case.get) == len(ROLES) and (case.post is None or len(case.post) == len(ROLES))
        assert SKIP not in case.get and SKIP not in (case.post or ()), (
            "every cell outside the admin is requested"
        )
    post_only = [e.key for e in entries if any(c.post is None and 405 in c.get for c in cases_for(e) or [])]
    assert not post_only, f"GET gives 405 but no POST row is declared: {post_only}"


# --- running one request -----------------------------------------------------------------------------------


def media_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


SKIPPED_APPS = {"sessions", "axes", "contenttypes"}
VOLATILE = {"last_login"}


@functools.cache
def _fingerprint_queries() -> list[tuple[str, str]]:
    quote = connection.ops.quote_name
    queries = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in SKIPPED_APPS or not model._meta.managed:
            continue
        columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields if f.attname not in VOLATILE)
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        sql = f"SELECT {columns} FROM {table} ORDER BY {pk}"  # noqa: S608 - names from the models, quoted
        queries.append((model._meta.label, sql))
    return queries


# The only rows a GET may add, and why. Not survey data: a PDF report page asks for the missing report
# to be rendered: one RenderRequest per report, a cache bookkeeping row (reports.downloads.report_pdf).
# (The 2FA setup page keeps the secret it shows in the session; its device is stored by the code sent.)
MAY_ADD = {
    "reports:report_pdf": {"reports.RenderRequest"},
    "reports:report_pdf_scoped": {"reports.RenderRequest"},
}


@functools.cache
def _count_queries() -> list[tuple[str, str]]:
    quote = connection.ops.quote_name
    return [
        (model._meta.label, f"SELECT COUNT(*) FROM {quote(model._meta.db_table)}")  # noqa: S608 - model names
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in SKIPPED_APPS and model._meta.managed
    ]


def row_counts() -> dict[str, int]:
    """The number of rows of every project table (not sessions or login attempts), per model."""
    counts = {}
    with connection.cursor() as cursor:
        for label, sql in _count_queries():
            cursor.execute(sql)
            counts[label] = cursor.fetchone()[0]
    return counts


def fingerprint() -> dict[str, str]:
    """A digest of every row of every project table (not sessions or login attempts), per model. Raw SQL:
    it runs after every refused request, so it must be cheap."""
    digest = {}
    with connection.cursor() as cursor:
        for label, sql in _fingerprint_queries():
            cursor.execute(sql)
            digest[label] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digest


def body_text(response) -> str:
    # A streamed response is closed by the test client once consumed.
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if "pdf" in kind:
        return content.decode("latin-1")
    return content.decode("utf-8", "replace")


def error_messages(response) -> list[str]:
    request = getattr(response, "wsgi_request", None)
    if request is None or not hasattr(request, "_messages"):
        return []
    return [str(m) for m in get_messages(request) if m.level >= message_levels.ERROR]


def check(expected: Outcome, response, changed: list[str], body: str, a_name: str) -> str | None:
    """Why the response does not match the declared outcome, or None."""
    status = response.status_code
    location = response.get("Location", "")
    login = reverse("login")
    if status >= 500:
        return f"server error {status}"
    if expected == LOGIN:
        ok = status == 302 and location.startswith(login)
    elif expected == ADMIN_LOGIN:
        ok = status == 302 and location.startswith(reverse("admin:login"))
    elif expected in (GO, REFUSED):
        ok = status == 302 and not location.startswith(login)
        has_error = bool(error_messages(response))
        if ok and expected == REFUSED and not has_error:
            return f"redirected to {location} without an error message"
        if ok and expected == GO and has_error:
            return f"redirected to {location} with an error: {error_messages(response)}"
    elif expected == WRITES:
        if status >= 400:
            return f"status {status}, expected an accepted write"
        return None if changed else f"status {status} but nothing changed in the database"
    elif expected == ANY_4XX:
        ok = 400 <= status < 500
    elif expected == SHOWS_A:
        if status != 200:
            return f"status {status}, expected 200 showing A"
        return None if a_name.lower() in body.lower() else "200 but A is not in the body"
    else:
        ok = status == expected
    if not ok:
        return f"status {status} {location}".strip() + f", expected {expected}"
    return None


@dataclass
class Runner:
    world: World
    role: str
    client: Client
    media: Path
    late_participant: Regency | None = None  # a kab/kota of the period without a collection
    failures: list = field(default_factory=list)
    baselines: dict = field(default_factory=dict)
    files: set = field(default_factory=set)
    rows: dict = field(default_factory=dict)  # row counts before the walk (every request is rolled back)
    gets_checked: int = 0  # GETs checked for created rows

    def __post_init__(self):
        self.files = media_files(self.media)  # restored after every request
        self.rows = row_counts()

    def markers(self) -> list[str]:
        return [self.world.a.name, MARK_QUESTIONNAIRE, MARK_EVIDENCE, MARK_COMMENT]

    def run(self, entry: Entry, case: Case) -> None:
        index = ROLES.index(self.role)
        values = {**default_args(self.world), **(case.args(self.world) if case.args else {})}
        path = build_path(entry.route, values) + (f"?{case.query}" if case.query else "")
        what = f"{entry.key}{f' [{case.label}]' if case.label else ''}"
        for method, row in (("GET", case.get), ("POST", case.post)):
            if row is not None and row[index] is not SKIP:
                self.request(method, path, what, entry, case, row[index])

    def request(self, method: str, path: str, what: str, entry: Entry, case: Case, expected: Outcome) -> None:
        cookies = self.client.cookies
        self.client.cookies = type(cookies)(cookies)  # restored after the request
        sid = transaction.savepoint_create()
        try:
            problem = self.send(method, path, entry, case, expected)
        except Exception as exc:  # a crash is a finding, reported with the others
            problem = f"raised {exc!r}"
        finally:
            transaction.savepoint_rollback(sid)
            self.client.cookies = cookies
            # The session's cached copy (cached_db) is not rolled back with the savepoint: drop it, so the
            # next request reads the session as the database has it again.
            session = cookies.get(settings.SESSION_COOKIE_NAME)
            if session is not None:
                cache.delete(KEY_PREFIX + session.value)
            for name in media_files(self.media) - self.files:
                (self.media / name).unlink()
        if problem:
            self.failures.append(f"{self.role} {method} {what} {path}: {problem}")

    def send(self, method: str, path: str, entry: Entry, case: Case, expected: Outcome) -> str | None:
        Collection.objects.filter(pk=self.world.coll_a.pk).update(state=case.state)
        if case.state not in self.baselines:
            self.baselines[case.state] = fingerprint()
        before = self.baselines[case.state]
        b_link = "B's collection" in case.label
        a_before = self.a_answers() if b_link else None
        outbox = len(mail.outbox)
        client, headers = self.client, {}
        if case.token:
            token = self.world.extras["tokens"].get(self.role, "kosong-" + "x" * 40)
            client, headers = Client(), {"Authorization": f"Bearer {token}"}
        if method == "GET":
            response = client.get(path, headers=headers)
        else:
            data = case.data(self.world) if case.data else {}
            if case.json:
                response = client.post(
                    path, json.dumps(data), content_type="application/json", headers=headers
                )
            else:
                response = client.post(path, data, headers=headers)
        body = body_text(response)
        refused = expected in REFUSALS
        # A refused request changes nothing; a POST changes the database only when declared WRITES. (An
        # admin GET refused by the admin site's own wrapper is not fingerprinted: it never reaches a view.)
        check_db = (refused and not entry.admin) if method == "GET" else True
        after = fingerprint() if check_db or expected == WRITES else before
        changed = sorted(k for k in before if before[k] != after.get(k))
        problem = check(expected, response, changed, body, self.world.a.name)
        if problem is None and check_db and expected != WRITES and changed:
            problem = f"{expected} but the database changed: {changed}"
        if problem is None and refused and media_files(self.media) != self.files:
            problem = "refused but the media folder changed"
        if problem is None and refused and len(mail.outbox) != outbox:
            problem = "refused but an e-mail was sent"
        if problem is None and method == "GET" and not (entry.admin or case.token):
            problem = self.created_rows(entry.key)
        if problem is None and b_link and self.a_answers() != a_before:
            problem = "a link of B changed A's answers"
        if problem is None and self.role not in OWNERS and not case.shows_a_to_all:
            shown = [m for m in self.markers() if m.lower() in body.lower()]
            if shown:
                problem = f"shows A's data to {self.role}: {shown}"
        if problem is None and self.role != "bnnk_a" and not entry.key.startswith("respondent:"):
            tokens = [
                name for name, link in self.world.links.items() if name != "other" and link.token in body
            ]
            if tokens:
                problem = f"shows the token of A's {tokens} link"
        return problem

    def created_rows(self, key: str) -> str | None:
        """Why this GET broke the rule that a GET creates nothing (MAY_ADD aside), or None."""
        self.gets_checked += 1
        after = row_counts()
        grown = {label: after[label] - n for label, n in self.rows.items() if after[label] != n}
        if set(grown) - MAY_ADD.get(key, set()):
            return f"a GET created rows (new rows per table): {grown}"
        late = self.late_participant
        if late is not None and Collection.objects.filter(regency=late).exists():
            return f"a GET created the collection of {late.name}, a participant without one"
        return None

    def a_answers(self):
        from assessments.models import Answer

        return list(
            Answer.objects.filter(questionnaire__collection=self.world.coll_a)
            .order_by("pk")
            .values_list("pk", "value", "version")
        )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(request, media, regency_a, regency_b, regency_other, django_capture_on_commit_callbacks):
    from accounts.models import Role, User
    from reports.api import api_token_create

    users = {role: request.getfixturevalue(role) for role in ROLES if role != "anonymous"}
    invited = User(username="undangan", email="undangan@example.test", role=Role.BNNK, regency=regency_b)
    invited.set_unusable_password()
    invited.save()
    # The transitions' notifications are sent after commit; the score requests stay unsent, as in a
    # transaction that never commits (the world's scores are made by hand).
    with (
        mock.patch("scoring.scheduling.request_collection_score"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        w = build_world(users, regency_a, regency_b, regency_other)
    w.notification = Notification.objects.filter(recipient=users["bnnk_a"]).order_by("pk").first()
    assert w.notification is not None and w.notification.read_at is None
    w.extras["invited"] = invited
    w.extras["plan_item"] = plans_world(w)
    w.extras["follow_up"] = monev_services.follow_up_add(
        user=w.users["bnnp_a"],
        item=w.extras["plan_item"],
        date=timezone.localdate(),
        progress=10,
        uploaded_file=SimpleUploadedFile("monev.pdf", PDF),
    )
    w.extras["tokens"] = {role: api_token_create(user=user)[1] for role, user in users.items()}
    return w


def plans_world(w: World):
    """A's action plan with one item (made directly: the world's collection is not verified yet)."""
    plan = ActionPlan.objects.create(
        collection=w.coll_a, title="Rencana aksi uji", created_by=w.users["bnnk_a"]
    )
    plan_services.agencies_ensure_defaults(regency=w.a)
    item = ActionItem.objects.create(
        plan=plan,
        strategy="penguatan_kelembagaan",
        agency=Agency.objects.get(regency=w.a, name="Kesbangpol"),
        activity="Menyusun RAD P4GN",
        expected_output="RAD P4GN ditetapkan",
        target_date=datetime.date(YEAR + 1, 3, 31),
    )
    item.indicators.set([Indicator.objects.get(variable__instrument=w.period.instrument, code="KL1")])
    # Its documents rendered (reports.plan_document) after the plan's last change, and its signed copy.
    for kind, content in ((RenderedReport.Kind.PDF, PDF), (RenderedReport.Kind.DOCX, b"PK\x03\x04 docx")):
        stored = RenderedReport(
            period=w.period,
            scope_kind=RenderedReport.ScopeKind.PLAN,
            scope_key=w.a.code,
            kind=kind,
            fingerprint="matrix",
            rendered_at=timezone.now(),
            data={"inputs_at": timezone.now().isoformat()},
        )
        stored.file.save(f"rencana-aksi-a.{kind}", ContentFile(content), save=False)
        stored.save()
    signing.signed_upload(user=w.users["bnnk_a"], plan=plan, uploaded_file=SimpleUploadedFile("ttd.pdf", PDF))
    return item


@pytest.fixture
def late_participant(world):
    """A kab/kota of A's province in the period whose collection is missing (as before collections came
    with joining): no GET may make it."""
    regency = Regency.objects.get(code="3578")
    world.period.participants.add(regency)
    Collection.objects.filter(period=world.period, regency=regency).delete()
    return regency


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role, world, media, late_participant):
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    runner = Runner(world, role, client, media, late_participant)
    undeclared = []
    for entry in url_entries():
        cases = cases_for(entry)
        if cases is None:
            undeclared.append(UNDECLARED.format(key=entry.key, route=entry.route))
            continue
        for case in cases:
            runner.run(entry, case)
    for key, (name, case) in MEDIA_PATHS.items():
        runner.run(Entry(key, (settings.MEDIA_URL + name(world)).lstrip("/"), admin=False), case)
    problems = undeclared + runner.failures
    assert not problems, f"{len(problems)} cells of the access matrix fail for {role}:\n" + "\n".join(
        problems
    )
    assert runner.gets_checked > 40  # the walk reached the survey, review, report and API pages as this role


# Path parameters naming nothing that exists (each URL's own converters: int or str).
UNKNOWN = {
    "year": 1999,
    "regency_code": "9999",
    "code": "99",
    "pk": 999999,
    "token": "y" * 43,
    "group_code": "tidak-ada",
    "scope": "tidak-ada",
    "key": "99",
}
# password_reset_confirm answers 200 "this link is invalid" by design; the instrument admin's old addresses
# redirect whatever follows (the admin page they lead to refuses what names nothing).
UNKNOWN_OK = {"password_reset_confirm", "admin_instruments_moved"}


@pytest.mark.parametrize("role", ["bnnk_a", "pusat"])
def test_unknown_objects_are_refused_never_500(role, world, media):
    """Every URL with path parameters, all of them naming nothing: a 4xx (or a redirect to the login page),
    never a 200 or a 500, and nothing changes (GET and POST)."""
    client = Client()
    client.force_login(world.users[role])
    runner = Runner(world, role, client, media)
    refused = same(ANY_4XX)
    for entry in url_entries():
        params = re.findall(r"<(?:\w+:)?(\w+)>", entry.route)
        if entry.admin or not params or entry.key in UNKNOWN_OK:
            continue
        path = build_path(entry.route, UNKNOWN)
        for method in ("GET", "POST"):
            runner.request(method, path, f"{entry.key} [unknown objects]", entry, Case(get=refused), ANY_4XX)
    assert not runner.failures, "\n".join(runner.failures)
