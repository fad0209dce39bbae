"""A GET creates nothing: every page of the access matrix, as each role, leaves the row count of every
project table as it was. Collections come into being when a kab/kota joins a period, never on a visit."""

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from assessments.models import Collection
from regions.models import Regency
from tests import test_access_matrix as matrix
from tests.test_access_matrix import (
    ROLES,
    SKIP,
    SKIPPED_APPS,
    build_path,
    cases_for,
    default_args,
    url_entries,
)

# The access matrix's world (A's collection submitted, returned, submitted again; B; links; scores).
media = matrix.media
world = matrix.world

pytestmark = pytest.mark.django_db

# The only rows a GET may add, and why. Not survey data: a PDF report page asks for the missing report
# to be rendered: one RenderRequest per report, a cache bookkeeping row (reports.downloads.report_pdf).
# (The 2FA setup page keeps the secret it shows in the session; its device is stored by the code sent.)
MAY_ADD = {
    "reports:report_pdf": {"reports.RenderRequest"},
    "reports:report_pdf_scoped": {"reports.RenderRequest"},
}


def row_counts() -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label in SKIPPED_APPS or not model._meta.managed:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {quote(model._meta.db_table)}")  # noqa: S608 - model names
            counts[model._meta.label] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def late_participant(world):
    """A kab/kota of A's province in the period whose collection is missing (as before this rule)."""
    regency = Regency.objects.get(code="3578")
    world.period.participants.add(regency)
    Collection.objects.filter(period=world.period, regency=regency).delete()
    return regency


def survey_gets(world, role: str):
    """(key, what, path, state) of every non-admin page the matrix GETs as this role."""
    index = ROLES.index(role)
    for entry in url_entries():
        cases = cases_for(entry)
        if entry.admin or not cases:
            continue
        for case in cases:
            if case.token or case.get[index] is SKIP:
                continue
            values = {**default_args(world), **(case.args(world) if case.args else {})}
            path = build_path(entry.route, values) + (f"?{case.query}" if case.query else "")
            yield entry.key, f"{entry.key} [{case.label}] {path}", path, case.state


@pytest.mark.parametrize("role", ROLES)
def test_no_get_of_any_page_creates_a_row(role, world, late_participant):
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    created = []
    visited = 0
    for key, what, path, state in survey_gets(world, role):
        Collection.objects.filter(pk=world.coll_a.pk).update(state=state)
        before = row_counts()
        client.get(path)
        visited += 1
        after = row_counts()
        grown = {label: after[label] - n for label, n in before.items() if after[label] != n}
        if set(grown) - MAY_ADD.get(key, set()):
            created.append(f"{what}: {grown}")
    assert visited > 40  # the walk reached the survey, review, report and API pages
    assert not created, f"GET requests of {role} created rows:\n" + "\n".join(created)
    assert not Collection.objects.filter(regency=late_participant).exists()
