"""The field kit's photo upload (lapangan/foto.json, issue 15): a photo taken offline is stored through the
evidence checks once per client uuid (a retry answers 200 with the same document), a file that is not an
allowed type is refused with the evidence message, and who may upload follows the entry rules."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.fieldkit import views as fieldkit_views
from assessments.models import Collection, Evidence
from tests.factories import make_collection
from tests.fieldkit_support import JPEG, endpoint, item, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection(regency_a, regency_b, private_media) -> Collection:
    coll = make_collection(regency_a)
    make_collection(regency_b, coll.period)
    return coll


def upload(client, collection, uid, content=JPEG, name="foto.jpg", **fields):
    data = {"uuid": str(uid), "file": SimpleUploadedFile(name, content, "image/jpeg"), **fields}
    return client.post(endpoint("photo", collection), data)


def test_a_photo_is_stored_once(client_for, bnnk_a, collection):
    client = client_for(bnnk_a)
    uid = uuid.uuid4()

    first = upload(client, collection, uid, title="Formulir RT 01")
    again = upload(client, collection, uid, title="Formulir RT 01")

    assert first.status_code == 201
    assert first["Cache-Control"] == "private, no-store"
    stored = Evidence.objects.get()
    assert first.json() == {"status": "ok", "evidence": {"id": stored.pk, "created": True}}
    assert again.status_code == 200
    assert again.json() == {"status": "ok", "evidence": {"id": stored.pk, "created": False}}
    assert stored.client_uuid == uid and stored.content_type == "image/jpeg"
    assert (stored.title, stored.uploaded_by, stored.collection) == ("Formulir RT 01", bnnk_a, collection)
    assert Evidence.history.count() == 1


def test_a_photo_of_a_synced_questionnaire_is_titled_after_it(client_for, bnnk_a, collection):
    client = client_for(bnnk_a)
    body = item(collection, {"q_likert": "3"}, label="RT 09")
    assert post_json(client, endpoint("sync", collection), body).status_code == 200
    assert upload(client, collection, uuid.uuid4(), questionnaire_uuid=body["uuid"]).status_code == 201
    assert Evidence.objects.get().title == "Foto kuesioner RT 09"


def test_a_program_renamed_jpg_is_refused_with_the_evidence_message(client_for, bnnk_a, collection):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    response = upload(client_for(bnnk_a), collection, uuid.uuid4(), content=exe, name="foto.jpg")
    assert response.status_code == 422
    data = response.json()
    assert (data["status"], data["code"]) == ("invalid", "bad_type")
    assert "Jenis berkas tidak diizinkan" in data["message"] and "EXE" in data["message"]
    assert not Evidence.objects.exists()


def test_no_file_is_refused(client_for, bnnk_a, collection):
    response = client_for(bnnk_a).post(endpoint("photo", collection), {"uuid": str(uuid.uuid4())})
    assert response.status_code == 422
    assert response.json()["code"] == "no_file"


def test_a_bad_uuid_is_a_400(client_for, bnnk_a, collection):
    response = upload(client_for(bnnk_a), collection, "bukan-uuid")
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_a_closed_collection_refuses_a_new_photo_but_answers_a_retry(client_for, bnnk_a, collection):
    client = client_for(bnnk_a)
    sent = uuid.uuid4()
    assert upload(client, collection, sent).status_code == 201
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.SUBMITTED)

    refused = upload(client, collection, uuid.uuid4())
    retry = upload(client, collection, sent)

    assert refused.status_code == 403
    assert (refused.json()["status"], refused.json()["code"]) == ("refused", "closed")
    assert retry.status_code == 200 and retry.json()["evidence"]["created"] is False
    assert Evidence.objects.count() == 1


def test_a_uuid_of_another_collection_is_a_400(client_for, bnnk_a, regency_a, collection):
    client = client_for(bnnk_a)
    uid = uuid.uuid4()
    assert upload(client, make_collection(regency_a), uid).status_code == 201
    response = upload(client, collection, uid)
    assert (response.status_code, response.json()["code"]) == (400, "uuid_elsewhere")


def test_who_may_upload(client, bnnk_b, bnnp_a, pusat, collection):
    for user, status in ((bnnk_b, 404), (bnnp_a, 403), (pusat, 403)):
        client.force_login(user)
        assert upload(client, collection, uuid.uuid4()).status_code == status
    client.logout()
    assert upload(client, collection, uuid.uuid4()).status_code == 401
    assert not Evidence.objects.exists()


def test_two_uploads_of_one_photo_at_once_store_it_once(client_for, bnnk_a, collection, monkeypatch):
    client = client_for(bnnk_a)
    uid = uuid.uuid4()
    assert upload(client, collection, uid).status_code == 201
    monkeypatch.setattr(fieldkit_views, "_photo_of", lambda collection, client_uuid: None)

    response = upload(client, collection, uid)

    assert response.status_code == 200
    assert response.json()["evidence"]["created"] is False
    assert Evidence.objects.count() == 1
