"""The user model: the database rejects a role without its scope; the admin form explains why."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_database_rejects_bnnk_without_regency():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="x", role=Role.BNNK)


def test_database_rejects_bnnp_without_province():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="y", role=Role.BNNP)


def test_database_rejects_bnnk_with_a_province(regency_a, province_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="z", role=Role.BNNK, regency=regency_a, province=province_a)


def test_clean_gives_an_indonesian_field_error():
    user = User(username="x", role=Role.BNNK)
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert "wajib memiliki kabupaten/kota" in str(exc.value.message_dict["regency"])


def test_admin_add_form_shows_scope_error(client, pusat, regency_a):
    admin = User.objects.create_superuser("root", "root@example.test", "pw-123456789")
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new_bnnk",
            "password1": "Xq9!long-pass",
            "password2": "Xq9!long-pass",
            "role": "bnnk",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "wajib memiliki kabupaten/kota" in response.content.decode()
    assert not User.objects.filter(username="new_bnnk").exists()


def test_scope_label(bnnk_a, bnnp_a, pusat):
    assert bnnk_a.scope_label == "Kota Malang"
    assert bnnp_a.scope_label == "Jawa Timur"
    assert pusat.scope_label == "Nasional"
