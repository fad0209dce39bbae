"""The home page of each role links to the pages that role uses."""

import pytest

pytestmark = pytest.mark.django_db


def test_pusat_home_links_to_user_import(client_for, pusat):
    body = client_for(pusat).get("/").content.decode()
    assert 'href="/pengguna/impor/"' in body
    assert "Impor pengguna" in body
    assert client_for(pusat).get("/pengguna/impor/").status_code == 200


@pytest.mark.parametrize("role", ["bnnk_a", "bnnp_a"])
def test_other_roles_get_no_import_link(request, client_for, role):
    body = client_for(request.getfixturevalue(role)).get("/").content.decode()
    assert "/pengguna/impor/" not in body
