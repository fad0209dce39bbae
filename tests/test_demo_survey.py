"""load_demo_survey: the current year's demo period with the demo provinces' kab/kota (idempotent)."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments.models import Collection, Period
from instruments.default import DEFAULT_VERSION
from instruments.models import Instrument
from regions.models import Regency

pytestmark = pytest.mark.django_db


def test_creates_the_period_participants_and_collections(settings):
    settings.DEBUG = True
    call_command("load_demo_survey", stdout=None)
    today = timezone.localdate()
    period = Period.objects.get(year=today.year)
    assert period.instrument.version == DEFAULT_VERSION
    assert period.collection_opens == today - datetime.timedelta(days=30)
    assert period.collection_deadline == today + datetime.timedelta(days=30)
    assert period.verification_deadline == period.collection_deadline + datetime.timedelta(days=14)
    assert period.target_count == 60
    assert period.collection_is_open()
    codes = set(period.participants.values_list("code", flat=True))
    assert {"3573", "1504", "5271", "9601"} <= codes
    expected = set(
        Regency.objects.filter(province__code__in=["35", "15", "52", "96"]).values_list("code", flat=True)
    )
    assert codes == expected
    assert set(Collection.objects.filter(period=period).values_list("regency__code", flat=True)) == expected


def test_running_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo_survey")
    before = (
        Period.objects.count(),
        Instrument.objects.count(),
        Collection.objects.count(),
        Period.participants.through.objects.count(),
    )
    call_command("load_demo_survey")
    after = (
        Period.objects.count(),
        Instrument.objects.count(),
        Collection.objects.count(),
        Period.participants.through.objects.count(),
    )
    assert after == before
    assert before[0] == 1 and before[1] == 1 and before[2] > 60


def test_an_existing_period_keeps_its_dates_and_gets_missing_collections(settings):
    settings.DEBUG = True
    call_command("load_demo_survey")
    period = Period.objects.get()
    Period.objects.filter(pk=period.pk).update(target_count=99)
    Collection.objects.filter(period=period, regency__code="3573").delete()
    call_command("load_demo_survey")
    period.refresh_from_db()
    assert period.target_count == 99
    assert Collection.objects.filter(period=period, regency__code="3573").exists()


def test_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo_survey")
    assert not Period.objects.exists()
