"""Home per role and the regions pages: scoped by kotan.access, foreign scope is 404."""

import pytest

pytestmark = pytest.mark.django_db


def test_bnnk_home_names_its_regency(client_for, bnnk_a):
    body = client_for(bnnk_a).get("/").content.decode()
    assert "BNNK (kabupaten/kota)" in body
    assert "Kota Malang" in body
    assert "/wilayah/kabkota/3573/" in body


def test_bnnp_home_names_its_province(client_for, bnnp_a):
    body = client_for(bnnp_a).get("/").content.decode()
    assert "BNNP (provinsi)" in body
    assert "Jawa Timur" in body
    assert "/wilayah/provinsi/35/" in body


def test_pusat_home_shows_national_counts(client_for, pusat):
    body = client_for(pusat).get("/").content.decode()
    assert "BNN pusat" in body
    assert "38 provinsi dan 514 kabupaten/kota" in body


def test_pusat_region_list_has_all_514(client_for, pusat, django_assert_max_num_queries):
    client = client_for(pusat)
    with django_assert_max_num_queries(6):
        response = client.get("/wilayah/")
    assert response.context["total"] == 514
    assert "Kabupaten Sorong" in response.content.decode()


def test_region_search(client_for, pusat):
    response = client_for(pusat).get("/wilayah/", {"q": "malang"})
    names = {r.name for regs in response.context["groups"].values() for r in regs}
    # "malang" also matches Pemalang: a substring search, as users expect.
    assert names == {"Kabupaten Malang", "Kota Malang", "Kabupaten Pemalang"}


def test_bnnp_region_list_is_its_province(client_for, bnnp_a):
    response = client_for(bnnp_a).get("/wilayah/")
    assert [p.code for p in response.context["groups"]] == ["35"]
    assert response.context["total"] == 38
    assert "Batanghari" not in response.content.decode()


@pytest.mark.parametrize(
    ("user_fixture", "url", "status"),
    [
        ("bnnk_a", "/wilayah/kabkota/3573/", 200),
        ("bnnk_a", "/wilayah/kabkota/3507/", 404),
        ("bnnk_a", "/wilayah/kabkota/1504/", 404),
        ("bnnk_a", "/wilayah/provinsi/15/", 404),
        ("bnnp_a", "/wilayah/kabkota/3507/", 200),
        ("bnnp_a", "/wilayah/provinsi/35/", 200),
        ("bnnp_a", "/wilayah/kabkota/1504/", 404),
        ("bnnp_a", "/wilayah/provinsi/15/", 404),
        ("pusat", "/wilayah/kabkota/1504/", 200),
        ("pusat", "/wilayah/provinsi/15/", 200),
    ],
)
def test_regions_scope(request, client_for, user_fixture, url, status):
    user = request.getfixturevalue(user_fixture)
    response = client_for(user).get(url)
    assert response.status_code == status
    if status == 404:
        assert "Batanghari" not in response.content.decode()


def test_anonymous_cannot_see_regions(client):
    assert client.get("/wilayah/kabkota/3573/").status_code == 302
