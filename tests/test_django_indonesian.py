"""Django's own texts that its Indonesian catalogue lacks are translated by locale/id (the admin's action
menu said "- Select an option -" in an otherwise Indonesian admin)."""

import pytest
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils import translation

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_blank_choice_label_is_indonesian_and_english_stays_english():
    with translation.override("id"):
        assert str(BLANK_CHOICE_LABEL) == "- Pilih salah satu -"
    with translation.override("en"):
        assert str(BLANK_CHOICE_LABEL) == "- Select an option -"


def test_admin_action_menu_speaks_indonesian(client):
    admin = make_user("root", role="pusat", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/accounts/user/").content.decode()
    assert 'name="action"' in page
    assert "- Pilih salah satu -" in page
    assert "Select an option" not in page
