"""The field kit's queue export (lapangan/antrean.xlsx, issue 15): the queue as the Excel bulk-entry
template, so the import page (bulk/workbook.parse_upload) reads back the same questionnaires and answers;
one group gives one workbook, several a zip of one per group; allowed to the kab/kota's BNNK even when
the collection is closed (it writes nothing); refused to the other roles."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.utils import timezone

from assessments.bulk import workbook
from assessments.models import Collection, Questionnaire
from tests.factories import make_collection
from tests.fieldkit_support import endpoint, item, post_json, qid

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def collection(regency_a, regency_b) -> Collection:
    coll = make_collection(regency_a)
    make_collection(regency_b, coll.period)
    return coll


def export(client, collection, queue):
    return post_json(client, endpoint("export", collection), {"questionnaires": queue})


def family(collection):
    return [
        item(collection, {"q_likert": "3", "q_yesno": "1", "q_choice": "2"}, label="RT 01", complete=True),
        item(collection, {"q_likert": "5", "q_yesno": "0"}, label="RT 02", village="Dinoyo"),
        item(
            collection,
            {"q_likert": "1"},
            label="RT 03",
            filled_on=(YESTERDAY - datetime.timedelta(days=3)).isoformat(),
        ),
    ]


def test_one_group_gives_a_workbook_the_import_reads_back(client_for, bnnk_a, collection):
    queue = family(collection)

    response = export(client_for(bnnk_a), collection, queue)

    assert response.status_code == 200
    assert response["Content-Type"] == workbook.XLSX_CONTENT_TYPE
    name = f"ikotan-{collection.period.year}-3573-keluarga.xlsx"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    preview = workbook.parse_upload(collection, bnnk_a, io.BytesIO(response.content), name)
    assert preview.errors == []
    assert preview.group.code == "keluarga"
    read = [(r.label, r.village, r.filled_on, r.answers) for r in preview.rows]
    expected = [
        (
            q["label"],
            q["village"],
            datetime.date.fromisoformat(q["filled_on"]),
            {a["question"]: float(a["value"]) for a in q["answers"]},
        )
        for q in queue
    ]
    assert read == expected
    assert [r.complete for r in preview.rows] == [True, True, False]  # RT 03 lacks q_yesno
    assert Questionnaire.objects.count() == 0  # an export writes nothing


def test_several_groups_give_a_zip_of_one_workbook_each(client_for, bnnk_a, collection):
    puskesmas = {"q_likert": "4", "q_number": "12", "q_likert2": "2"}
    queue = [*family(collection), item(collection, puskesmas, group="instansi", label="Puskesmas")]

    response = export(client_for(bnnk_a), collection, queue)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    year = collection.period.year
    assert f'filename="ikotan-{year}-3573-antrean.zip"' in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        assert names == [f"ikotan-{year}-3573-keluarga.xlsx", f"ikotan-{year}-3573-instansi.xlsx"]
        instansi = workbook.parse_upload(collection, bnnk_a, io.BytesIO(archive.read(names[1])))
        keluarga = workbook.parse_upload(collection, bnnk_a, io.BytesIO(archive.read(names[0])))
    assert instansi.errors == [] and len(keluarga.rows) == 3
    (row,) = instansi.rows
    assert row.label == "Puskesmas"
    assert row.answers == {
        qid(collection, "q_likert"): 4.0,
        qid(collection, "q_number"): 12.0,
        qid(collection, "q_likert2"): 2.0,
    }


def test_an_invalid_value_is_written_as_typed_for_the_import_to_report(client_for, bnnk_a, collection):
    queue = [item(collection, {"q_likert": "9", "q_yesno": "ya"})]
    response = export(client_for(bnnk_a), collection, queue)
    preview = workbook.parse_upload(collection, bnnk_a, io.BytesIO(response.content))
    assert [p.header for p in preview.errors] == ["q_likert"]
    assert preview.rows[0].answers == {qid(collection, "q_yesno"): 1.0}


def test_a_closed_collection_still_exports(client_for, bnnk_a, collection):
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.SUBMITTED)
    response = export(client_for(bnnk_a), collection, family(collection))
    assert response.status_code == 200
    assert response["Content-Type"] == workbook.XLSX_CONTENT_TYPE


@pytest.mark.parametrize(
    ("queue", "code"),
    [([], "empty"), ("x", "malformed"), ([{"uuid": "x"}], "malformed")],
    ids=["empty", "not a list", "bad item"],
)
def test_a_bad_queue_is_a_400(client_for, bnnk_a, collection, queue, code):
    response = export(client_for(bnnk_a), collection, queue)
    assert (response.status_code, response.json()["code"]) == (400, code)


def test_an_unknown_group_is_a_400(client_for, bnnk_a, collection):
    response = export(client_for(bnnk_a), collection, [item(collection, {}, group="sekolah")])
    assert response.status_code == 400
    assert "sekolah" in response.json()["message"]


def test_who_may_export(client, bnnk_b, bnnp_a, pusat, collection):
    queue = family(collection)
    for user, status in ((bnnk_b, 404), (bnnp_a, 403), (pusat, 403)):
        client.force_login(user)
        assert export(client, collection, queue).status_code == status
    client.logout()
    assert export(client, collection, queue).status_code == 401
