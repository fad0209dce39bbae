"""load_demo_collections: one demo kab/kota shows the "moved more than 25 points since last year" flag
on its review page, from engine scores (one synthetic year back instead of three, to keep it quick)."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from assessments.models import Collection
from assessments.review import quality
from scoring.management.commands import load_demo_collections, load_demo_history
from scoring.models import Score

pytestmark = [pytest.mark.django_db, pytest.mark.once]


def _variables(code: str, year: int) -> dict[str, float]:
    return Score.objects.get(
        collection__regency__code=code, collection__period__year=year, basis=Score.Basis.CURRENT
    ).variables


def test_the_demo_shows_a_year_over_year_jump_on_one_review_page(monkeypatch, settings, client):
    settings.DEBUG = True
    monkeypatch.setattr(load_demo_history, "YEARS_BACK", 1)
    monkeypatch.setattr(load_demo_collections, "YEARS_BACK", 1)
    for command in ("seed_demo", "load_demo_history", "load_demo_survey", "load_demo_collections"):
        call_command(command, stdout=io.StringIO())
    year = timezone.localdate().year
    code, variable = load_demo_collections.JUMP_REGENCY, load_demo_collections.JUMP_VARIABLE
    collection = Collection.objects.get(period__year=year, regency__code=code)
    assert collection.state == Collection.State.SUBMITTED
    now, before = _variables(code, year), _variables(code, year - 1)
    assert now[variable] - before[variable] > quality.VARIABLE_JUMP_POINTS

    client.force_login(User.objects.get(username="bnnp.jatim"))
    body = client.get(f"/survei/periode/{year}/{code}/verifikasi/").content.decode()
    assert 'data-testid="score-jumps"' in body and "Hukum berubah +" in body

    # Only that kab/kota and variable were pushed: no other demo collection jumps.
    others = [
        (c.regency.code, name)
        for c in Collection.objects.filter(period__year=year)
        .exclude(state=Collection.State.DRAFT)
        .select_related("regency")
        if c.regency.code != code
        for name in quality.variable_jumps(
            _variables(c.regency.code, year), _variables(c.regency.code, year - 1)
        )
    ]
    assert others == []
    assert list(quality.variable_jumps(now, before)) == [variable]
