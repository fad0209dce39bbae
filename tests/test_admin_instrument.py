"""The Django admin for instruments: locked ones read-only, copy, XLSX export/import pages, periods."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role, User
from assessments.models import Collection, Period
from assessments.services import questionnaire_create
from instruments import xlsx as instrument_xlsx
from instruments.models import Indicator, Instrument, Option, Question
from instruments.services import instrument_load_default, instrument_to_data
from tests.conftest import make_user
from tests.factories import make_collection, make_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, db):
    user = make_user("admin", Role.PUSAT)
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def default():
    return instrument_load_default()[0]


@pytest.fixture
def locked(default, regency_a, bnnk_a):
    collection = make_collection(regency_a, instrument=default)
    questionnaire_create(collection=collection, group=default.groups.get(code="keluarga"), user=bnnk_a)
    assert default.is_locked
    return default


SURVEY_MODELS = {"period", "collection", "questionnaire", "evidence", "respondentlink"}


def url(name, *args):
    app = "assessments" if name.split("_")[0] in SURVEY_MODELS else "instruments"
    return reverse(f"admin:{app}_{name}", args=args)


def _management(prefix, total, initial):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# --- Lock ------------------------------------------------------------------------------------------


def test_unlocked_instrument_page_is_editable(admin, default):
    response = admin.get(url("instrument_change", default.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="_save"' in body
    assert "terkunci" not in body
    assert "Ekspor XLSX" in body and "Salin ke versi baru" in body
    assert "Ketahanan Keluarga" in body  # variable inline


def test_locked_instrument_is_read_only_with_a_reason(admin, locked):
    response = admin.get(url("instrument_change", locked.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="_save"' not in body
    assert "terkunci" in body and "Salin ke versi baru" in body
    before = instrument_to_data(locked)
    response = admin.post(url("instrument_change", locked.pk), {"version": "x", "name": "y"})
    assert response.status_code == 403
    assert instrument_to_data(Instrument.objects.get(pk=locked.pk)) == before


@pytest.mark.parametrize("model", ["variable", "indicator", "question", "evidencetype"])
def test_children_of_a_locked_instrument_are_read_only(admin, locked, model):
    obj = {
        "variable": lambda: locked.variables.get(code="KK"),
        "indicator": lambda: Indicator.objects.get(variable__instrument=locked, code="KK1"),
        "question": lambda: locked.questions.get(code="KK1.1"),
        "evidencetype": lambda: locked.evidence_types.get(code="rad-p4gn"),
    }[model]()
    response = admin.get(url(f"{model}_change", obj.pk))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert "terkunci" in response.content.decode()
    assert admin.post(url(f"{model}_change", obj.pk), {"code": "X", "name": "Y"}).status_code == 403
    assert admin.post(url(f"{model}_delete", obj.pk), {"post": "yes"}).status_code == 403


def test_edit_question_and_its_options_when_unlocked(admin, default):
    q = default.questions.get(code="KL2.1")
    options = list(q.options.order_by("order"))
    data = {
        "order": "1",
        "code": "KL2.1",
        "text": "Status RAD P4GN?",
        "help_text": "",
        "kind": "choice",
        "weight": "2",
        "required": "on",
        "groups": [str(g.pk) for g in default.groups.filter(code="instansi")],
        **_management("options", len(options), len(options)),
    }
    for i, o in enumerate(options):
        data |= {
            f"options-{i}-id": str(o.pk),
            f"options-{i}-question": str(q.pk),
            f"options-{i}-order": str(o.order),
            f"options-{i}-value": str(o.value),
            f"options-{i}-label": o.label,
            f"options-{i}-score": str(o.score),
        }
    response = admin.post(url("question_change", q.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    q.refresh_from_db()
    assert (q.text, str(q.weight), [g.code for g in q.groups.all()]) == (
        "Status RAD P4GN?",
        "2.0000",
        ["instansi"],
    )
    # A Likert question with four options is refused with the reason, nothing saved.
    data["kind"] = "likert"
    response = admin.post(url("question_change", q.pk), data)
    assert response.status_code == 200
    assert "tepat lima opsi" in response.content.decode()
    q.refresh_from_db()
    assert q.kind == "choice"


def test_a_new_question_on_the_indicator_page_gets_the_instrument_and_standard_options(admin, default):
    indicator = Indicator.objects.get(variable__instrument=default, code="KK1")
    existing = list(indicator.questions.order_by("order", "id"))
    data = {"order": "1", "code": "KK1", "name": indicator.name, "weight": "1"}
    data |= _management("questions", len(existing) + 1, len(existing))
    for i, q in enumerate(existing):
        data |= {
            f"questions-{i}-id": str(q.pk),
            f"questions-{i}-indicator": str(indicator.pk),
            f"questions-{i}-order": str(q.order),
            f"questions-{i}-code": q.code,
            f"questions-{i}-text": q.text,
            f"questions-{i}-kind": q.kind,
            f"questions-{i}-weight": "1",
            f"questions-{i}-required": "on",
            f"questions-{i}-groups": [str(g.pk) for g in q.groups.all()],
        }
    n = len(existing)
    keluarga = default.groups.get(code="keluarga")
    data |= {
        f"questions-{n}-indicator": str(indicator.pk),
        f"questions-{n}-order": "9",
        f"questions-{n}-code": "KK1.9",
        f"questions-{n}-text": "Pertanyaan baru?",
        f"questions-{n}-kind": "likert",
        f"questions-{n}-weight": "1",
        f"questions-{n}-required": "on",
        f"questions-{n}-groups": [str(keluarga.pk)],
    }
    response = admin.post(url("indicator_change", indicator.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    new = Question.objects.get(code="KK1.9")
    assert new.instrument == default
    assert list(new.groups.all()) == [keluarga]
    assert sorted(new.options.values_list("value", "score")) == [
        (v, v - 1) for v in (1.0, 2.0, 3.0, 4.0, 5.0)
    ]

    # A code already used elsewhere in the instrument is refused on the form, not by a 500.
    data[f"questions-{n}-code"] = "HK4.2"
    data[f"questions-{n}-id"] = ""
    data["questions-TOTAL_FORMS"] = str(n + 1)
    data |= {f"questions-{n}-code": "HK4.2"}
    response = admin.post(url("indicator_change", indicator.pk), data)
    assert response.status_code == 200
    assert "sudah dipakai di instrumen ini" in response.content.decode()


# --- Copy, export, import --------------------------------------------------------------------------


def test_copy_action_copies_a_locked_instrument(admin, locked):
    response = admin.post(
        url("instrument_changelist"), {"action": "copy_to_new_version", "_selected_action": [locked.pk]}
    )
    assert response.status_code == 302
    copy = Instrument.objects.get(copied_from=locked)
    assert copy.version == "IKOTAN-2026.1-salinan-1"
    assert not copy.is_locked
    a, b = instrument_to_data(locked), instrument_to_data(copy)
    for key in ("version", "name"):
        a.pop(key), b.pop(key)
    assert a == b
    assert 'name="_save"' in admin.get(url("instrument_change", copy.pk)).content.decode()


def test_copy_page_with_a_chosen_version(admin, default):
    assert admin.get(url("instrument_copy", default.pk)).status_code == 200
    response = admin.post(url("instrument_copy", default.pk), {"version": default.version, "name": "x"})
    assert response.status_code == 200
    assert "sudah ada" in response.content.decode()
    response = admin.post(
        url("instrument_copy", default.pk), {"version": "IKOTAN-2027.1", "name": "IKOTAN 2027"}
    )
    copy = Instrument.objects.get(version="IKOTAN-2027.1")
    assert response.status_code == 302 and response.url == url("instrument_change", copy.pk)
    assert copy.copied_from == default


def test_export_button_and_action(admin, default):
    response = admin.get(url("instrument_export", default.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="instrumen-IKOTAN-2026.1.xlsx"'
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "pertanyaan" in wb.sheetnames
    response = admin.post(
        url("instrument_changelist"), {"action": "export_xlsx", "_selected_action": [default.pk]}
    )
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_import_page_creates_a_new_version(admin, default):
    data = instrument_xlsx.instrument_export(default)
    assert admin.get(url("instrument_import")).status_code == 200
    upload = SimpleUploadedFile("i.xlsx", data)
    response = admin.post(url("instrument_import"), {"file": upload, "version": "IKOTAN-2027.1", "name": ""})
    new = Instrument.objects.get(version="IKOTAN-2027.1")
    assert response.status_code == 302 and response.url == url("instrument_change", new.pk)
    assert new.questions.count() == 52


def test_import_page_lists_every_problem_and_creates_nothing(admin, default):
    wb = openpyxl.load_workbook(io.BytesIO(instrument_xlsx.instrument_export(default)))
    wb["pertanyaan"]["E3"] = "likret"
    buf = io.BytesIO()
    wb.save(buf)
    before = (Instrument.objects.count(), Question.objects.count(), Option.objects.count())
    response = admin.post(
        url("instrument_import"), {"file": SimpleUploadedFile("i.xlsx", buf.getvalue()), "version": "v2"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Berkas ditolak: 1 masalah" in body
    assert "pertanyaan baris 3 kolom E: jenis &#x27;likret&#x27; tidak dikenal" in body
    response = admin.post(url("instrument_import"), {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert "bukan XLSX" in response.content.decode()
    assert (Instrument.objects.count(), Question.objects.count(), Option.objects.count()) == before


def test_import_and_export_are_for_staff_of_bnn_pusat_only(client, default, regency_a):
    import_url, export_url = url("instrument_import"), url("instrument_export", default.pk)
    assert client.get(import_url).status_code == 302  # anonymous: to the admin login
    bnnk = make_user("bnnk_staff", Role.BNNK, regency=regency_a)
    # Saving a BNNK never makes it staff (accounts: the role decides); forced here, the view still refuses.
    User.objects.filter(pk=bnnk.pk).update(is_staff=True)
    bnnk.user_permissions.set(Permission.objects.filter(codename__in=["add_instrument", "view_instrument"]))
    client.force_login(bnnk)
    assert client.get(import_url).status_code == 403
    assert client.get(export_url).status_code == 403
    pusat_no_perm = make_user("pusat_staff", Role.PUSAT)  # staff in the group "BNN pusat"
    pusat_no_perm.groups.clear()
    client.force_login(pusat_no_perm)
    assert client.get(import_url).status_code == 403
    pusat_no_perm.user_permissions.set(
        Permission.objects.filter(codename__in=["add_instrument", "view_instrument"])
    )
    client.force_login(pusat_no_perm)
    assert client.get(import_url).status_code == 200
    plain_pusat = make_user("pusat_plain", Role.PUSAT)
    User.objects.filter(pk=plain_pusat.pk).update(is_staff=False)  # not staff: the admin's login
    client.force_login(plain_pusat)
    assert client.get(import_url).status_code == 302


# --- Periods and survey data -----------------------------------------------------------------------


def test_saving_a_period_creates_collections(admin, default, regency_a, regency_b):
    period = make_period(default, [])
    assert not Collection.objects.filter(period=period).exists()
    response = admin.post(
        url("period_change", period.pk),
        {
            "year": str(period.year),
            "name": period.name,
            "instrument": str(default.pk),
            "collection_opens": period.collection_opens.isoformat(),
            "collection_deadline": period.collection_deadline.isoformat(),
            "verification_deadline": period.verification_deadline.isoformat(),
            "target_count": "60",
            "participants": [str(regency_a.pk), str(regency_b.pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(Collection.objects.filter(period=period).values_list("regency__code", flat=True)) == {
        "3573",
        "3507",
    }
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert "2 koleksi kab/kota dibuat untuk peserta baru." in shown


@pytest.mark.parametrize(
    "name",
    ["collection", "questionnaire", "evidence", "respondentlink", "period", "bandscheme", "instrument"],
)
def test_changelists_render(admin, locked, name):
    assert admin.get(url(f"{name}_changelist")).status_code == 200


def test_survey_data_is_view_only(admin, locked):
    collection = Collection.objects.get(period__instrument=locked)
    response = admin.get(url("collection_change", collection.pk))
    assert response.status_code == 200 and 'name="_save"' not in response.content.decode()
    assert admin.post(url("collection_change", collection.pk), {"state": "final"}).status_code == 403
    assert admin.get(url("collection_add")).status_code == 403


def test_questionnaire_list_query_count_is_fixed(admin, locked, bnnk_a, django_assert_max_num_queries):
    collection = Collection.objects.get(period__instrument=locked)
    for _ in range(5):
        questionnaire_create(collection=collection, group=locked.groups.get(code="keluarga"), user=bnnk_a)
    with django_assert_max_num_queries(20):
        assert admin.get(url("questionnaire_changelist")).status_code == 200


def test_period_with_questionnaires_keeps_its_instrument(admin, locked):
    period = Period.objects.get(instrument=locked)
    body = admin.get(url("period_change", period.pk)).content.decode()
    assert 'name="instrument"' not in body
