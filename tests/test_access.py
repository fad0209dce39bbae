"""kotan.access: each role against its own and a foreign kab/kota and province (no HTTP)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from assessments.models import Collection
from kotan import access
from regions.models import Regency
from tests.factories import make_period

pytestmark = pytest.mark.django_db


def test_bnnk_sees_only_its_regency(bnnk_a, regency_a, regency_b, regency_other, province_a, province_other):
    assert list(access.visible_regencies(bnnk_a)) == [regency_a]
    assert list(access.visible_provinces(bnnk_a)) == [province_a]
    assert access.can_view_regency(bnnk_a, regency_a)
    assert not access.can_view_regency(bnnk_a, regency_b)
    assert not access.can_view_regency(bnnk_a, regency_other)
    assert access.can_enter_data(bnnk_a, regency_a)
    assert not access.can_enter_data(bnnk_a, regency_b)
    assert not access.can_verify(bnnk_a, regency_a)
    assert access.can_view_province(bnnk_a, province_a)
    assert not access.can_view_province(bnnk_a, province_other)


def test_bnnp_sees_its_province_only(bnnp_a, regency_a, regency_b, regency_other, province_a, province_other):
    visible = set(access.visible_regencies(bnnp_a).values_list("code", flat=True))
    assert len(visible) == province_a.regencies.count() == 38
    assert {regency_a.code, regency_b.code} <= visible
    assert regency_other.code not in visible
    assert access.can_view_regency(bnnp_a, regency_a)
    assert not access.can_view_regency(bnnp_a, regency_other)
    assert access.can_verify(bnnp_a, regency_a)
    assert not access.can_verify(bnnp_a, regency_other)
    assert not access.can_enter_data(bnnp_a, regency_a)
    assert list(access.visible_provinces(bnnp_a)) == [province_a]
    assert not access.can_view_province(bnnp_a, province_other)


def test_pusat_sees_everything_but_enters_nothing(pusat, regency_a, regency_other, province_other):
    assert access.visible_regencies(pusat).count() == 514
    assert access.visible_provinces(pusat).count() == 38
    assert access.can_view_regency(pusat, regency_other)
    assert access.can_view_province(pusat, province_other)
    assert access.is_national(pusat)
    assert not access.can_enter_data(pusat, regency_a)
    assert not access.can_verify(pusat, regency_a)


def test_anonymous_sees_nothing(regency_a, province_a):
    anon = AnonymousUser()
    assert access.visible_regencies(anon).count() == 0
    assert access.visible_provinces(anon).count() == 0
    assert not access.can_view_regency(anon, regency_a)
    assert not access.is_national(anon)


def test_get_regency_or_404_hides_foreign_regencies(bnnk_a, bnnp_a, regency_a, regency_other):
    assert access.get_regency_or_404(bnnk_a, regency_a.code) == regency_a
    with pytest.raises(Http404):
        access.get_regency_or_404(bnnk_a, regency_other.code)
    with pytest.raises(Http404):
        access.get_regency_or_404(bnnp_a, regency_other.code)


def test_every_form_of_the_rule_agrees_for_every_role_and_kab_kota(bnnk_a, bnnp_a, pusat, regency_a):
    everything = list(Regency.objects.all())
    period = make_period(regencies=everything)
    assert Collection.objects.filter(period=period).count() == len(everything)  # made with the participants
    for user in (AnonymousUser(), bnnk_a, bnnp_a, pusat):
        by_query = set(access.visible_regencies(user).values_list("pk", flat=True))
        by_object = {r.pk for r in everything if access.can_view_regency(user, r)}
        by_filter = set(
            Collection.objects.filter(access.regency_filter(user, "regency")).values_list(
                "regency_id", flat=True
            )
        )
        assert by_query == by_object == by_filter, user
        provinces = set(access.visible_provinces(user).values_list("pk", flat=True))
        assert provinces == {r.province_id for r in everything if r.pk in by_query}, user
    assert len(access.visible_regencies(pusat)) == len(everything) > 500


def test_only_the_own_bnnk_edits_the_action_plan(regency_a, regency_b, bnnk_a, bnnk_b, bnnp_a, pusat):
    assert access.can_edit_plan(bnnk_a, regency_a)
    assert not access.can_edit_plan(bnnk_a, regency_b)
    assert not access.can_edit_plan(bnnk_b, regency_a)
    # The province and BNN pusat read the plan (they see the kab/kota) but do not write it.
    for reader in (bnnp_a, pusat):
        assert access.can_view_regency(reader, regency_a) and not access.can_edit_plan(reader, regency_a)
