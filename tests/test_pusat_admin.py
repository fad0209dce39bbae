"""BNN pusat in the Django admin: the group and its exact permissions, who becomes staff (every way a user
gets a role: save, bulk import, seed_demo, the user admin) and who stops being staff; an unlocked
instrument is editable by BNN pusat. Which admin URL answers what is in tests/test_access_matrix.py."""

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import onboarding
from accounts.models import Role, User
from accounts.staff import PUSAT_GROUP, pusat_codenames, pusat_group_sync
from instruments.models import Instrument
from tests.conftest import make_user
from tests.factories import make_instrument
from tests.otp import authenticator

pytestmark = pytest.mark.django_db


def granted(group: Group) -> set[tuple[str, str]]:
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def in_group(user: User) -> bool:
    return user.groups.filter(name=PUSAT_GROUP).exists()


def test_the_group_has_exactly_the_declared_permissions():
    group = Group.objects.get(name=PUSAT_GROUP)
    assert granted(group) == pusat_codenames()
    assert len(pusat_codenames()) == 51
    codenames = {c for _app, c in pusat_codenames()}
    # Edits the instrument tree, band schemes and periods; never deletes a period.
    assert {"change_instrument", "add_option", "delete_band", "add_period", "change_period"} <= codenames
    assert "delete_period" not in codenames
    # Survey data, regions and users: view only. Groups, permissions, notifications, login attempts: nothing.
    view_only = ("collection", "questionnaire", "evidence", "respondentlink", "province", "regency", "user")
    plans = ("actionplan", "actionitem", "agency", "followup", "plancomment")
    for model in view_only + plans:
        assert {c for c in codenames if c.endswith(f"_{model}")} == {f"view_{model}"}
    assert not {app for app, _c in pusat_codenames()} & {"auth", "axes", "notifications", "admin", "sessions"}


def test_sync_repairs_the_group_and_changes_nothing_when_run_again():
    group = Group.objects.get(name=PUSAT_GROUP)
    group.permissions.add(Permission.objects.get(codename="change_group"))
    group.permissions.remove(Permission.objects.get(codename="change_instrument"))
    assert pusat_group_sync().pk == group.pk
    assert granted(group) == pusat_codenames()
    pusat_group_sync()
    assert Group.objects.filter(name=PUSAT_GROUP).count() == 1 and granted(group) == pusat_codenames()


def test_post_migrate_recreates_a_flushed_group():
    Group.objects.filter(name=PUSAT_GROUP).delete()
    config = django_apps.get_app_config("accounts")  # what `migrate` and `flush` send it for
    post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False, using="default")
    assert granted(Group.objects.get(name=PUSAT_GROUP)) == pusat_codenames()


def test_pusat_is_staff_in_the_group_never_superuser(pusat):
    pusat.refresh_from_db()
    assert pusat.is_staff and not pusat.is_superuser and in_group(pusat)
    assert pusat.has_perm("instruments.change_instrument") and pusat.has_perm("assessments.add_period")
    assert pusat.has_perm("accounts.view_user")
    assert not pusat.has_perm("accounts.change_user") and not pusat.has_perm("auth.change_group")


def test_a_pusat_user_saved_without_the_group_gets_it_created():
    Group.objects.filter(name=PUSAT_GROUP).delete()
    user = make_user("pusat_baru", Role.PUSAT)
    assert in_group(user) and granted(user.groups.get()) == pusat_codenames()


def test_changing_the_role_away_from_pusat_removes_staff_and_group(pusat, province_a, regency_a):
    pusat.role, pusat.province = Role.BNNP, province_a
    pusat.save()
    pusat.refresh_from_db()
    assert not pusat.is_staff and not in_group(pusat)
    pusat.role, pusat.province, pusat.regency = Role.BNNK, None, regency_a
    pusat.is_staff = True  # BNNK never works in the admin, whatever the form said
    pusat.save()
    pusat.refresh_from_db()
    assert not pusat.is_staff and not in_group(pusat)
    pusat.role, pusat.regency = Role.PUSAT, None
    pusat.save()
    pusat.refresh_from_db()
    assert pusat.is_staff and in_group(pusat)


def test_a_superuser_of_another_role_keeps_staff_but_not_the_group(regency_a):
    root = make_user("root", Role.BNNK, regency=regency_a, is_superuser=True, is_staff=True)
    root.refresh_from_db()
    assert root.is_staff and not in_group(root)


def test_saving_only_the_last_login_leaves_groups_alone(pusat, django_assert_num_queries):
    with django_assert_num_queries(1):  # the UPDATE of last_login, nothing about groups
        pusat.save(update_fields=["last_login"])


def test_bulk_import_makes_pusat_staff_in_the_group():
    rows = [
        onboarding.SheetRow(2, "Analis Pusat", "analis@bnn.go.id", "pusat", ""),
        onboarding.SheetRow(3, "Petugas Malang", "petugas@bnn.go.id", "bnnk", "3573"),
    ]
    analis, petugas = onboarding.create_users(rows)
    analis.refresh_from_db()
    petugas.refresh_from_db()
    assert analis.is_staff and not analis.is_superuser and in_group(analis)
    assert not petugas.is_staff and not in_group(petugas)


def test_seed_demo_makes_pusat_staff_in_the_group(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    pusat = User.objects.get(username="pusat")
    assert pusat.is_staff and not pusat.is_superuser and in_group(pusat)
    for username in ("bnnk.malang", "bnnp.jatim"):
        user = User.objects.get(username=username)
        assert not user.is_staff and not in_group(user)
    assert User.objects.get(username="admin").is_superuser


def _user_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "role": user.role,
        "regency": user.regency_id or "",
        "province": user.province_id or "",
    }
    return {**data, **changes}


def test_the_user_admin_cannot_take_the_group_away(client, bnnk_a):
    root = User.objects.create_superuser("root", "root@example.test", "pw-123456789")
    client.force_login(root)
    url = f"/admin/accounts/user/{bnnk_a.pk}/change/"
    response = client.post(url, _user_form(bnnk_a, role=Role.PUSAT, regency=""))
    assert response.status_code == 302, response.content.decode()[:2000]
    bnnk_a.refresh_from_db()
    # The form sent no groups and no staff flag: the role decides both.
    assert bnnk_a.role == Role.PUSAT and bnnk_a.is_staff and in_group(bnnk_a) and not bnnk_a.is_superuser


def test_pusat_edits_an_unlocked_instrument_in_the_admin(client, pusat):
    instrument = make_instrument()
    client.force_login(pusat)
    url = f"/admin/instruments/instrument/{instrument.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="name"' in page and "sudah dipakai periode" not in page  # editable, no lock warning
    data = {
        "version": instrument.version,
        "name": "Instrumen uji (diubah pusat)",
        "description": "",
        "band_scheme": instrument.band_scheme_id,
    }
    for prefix in ("groups", "variables", "evidence_types"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Instrument.objects.get(pk=instrument.pk).name == "Instrumen uji (diubah pusat)"


def test_bnnk_and_bnnp_are_sent_to_the_admin_login(client, bnnk_a, bnnp_a):
    for user in (bnnk_a, bnnp_a):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_two_factor_reset_is_for_those_who_may_change_users_and_device_admins_are_off(client, pusat, bnnp_a):
    # The reset (accounts.admin, tests/test_two_factor.py) needs change_user, which the group never has;
    # django-otp's device admins (secret keys, QR codes, backup codes) are not on the site at all.
    authenticator(bnnp_a)
    client.force_login(pusat)
    assert "two_factor_reset" not in client.get("/admin/accounts/user/").content.decode()
    client.post("/admin/accounts/user/", {"action": "two_factor_reset", "_selected_action": [bnnp_a.pk]})
    assert TOTPDevice.objects.filter(user=bnnp_a).exists()
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
    assert not {app for app, _c in pusat_codenames()} & {"otp_totp", "otp_static"}


def test_the_instrument_admins_old_address_leads_to_the_same_page(client, pusat):
    """Issue 13 moved the instrument models to the instruments app; a bookmark of the old admin address
    (with its query) lands on the same page."""
    instrument = make_instrument()
    client.force_login(pusat)
    old = f"/admin/assessments/instrument/{instrument.pk}/change/?_changelist_filters=q%3Duji"
    response = client.get(old, follow=True)
    assert response.redirect_chain == [
        (f"/admin/instruments/instrument/{instrument.pk}/change/?_changelist_filters=q%3Duji", 302)
    ]
    assert response.status_code == 200 and instrument.version in response.content.decode()
    # Survey models never moved: their admin addresses are not redirected.
    assert client.get("/admin/assessments/period/").status_code == 200
