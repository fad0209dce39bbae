"""Evidence (bukti dukung): content-checked upload, size limit, scope-checked download, delete with history."""

import io
import struct
import zipfile
import zlib

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.evidence import services as ev
from assessments.models import Evidence
from instruments.models import EvidenceType
from kotan.lib.service_errors import NotAllowed, ServiceError
from tests.factories import make_collection, make_instrument, make_period, question

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def collection(regency_a, regency_b):
    period = make_period(regencies=[regency_a, regency_b], year=2026)
    return make_collection(regency_a, period)


@pytest.fixture
def inst(collection):
    return collection.period.instrument


@pytest.fixture
def sk(inst):
    return EvidenceType.objects.get(instrument=inst, code="sk")


# --- minimal valid files -------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode."
)


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Rekap kegiatan P4GN"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("notes.txt", "hello")
    return out.getvalue()


def upload(collection, user, name, data, **kw):
    return ev.evidence_upload(
        collection=collection, user=user, uploaded_file=SimpleUploadedFile(name, data), **kw
    )


# --- the service ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, mime",
    [
        ("sk.pdf", PDF, "application/pdf"),
        ("foto.png", png_bytes(), "image/png"),
        ("foto.jpeg", JPEG, "image/jpeg"),
        ("rekap.xlsx", xlsx_bytes(), ev.XLSX[0]),
        ("laporan.docx", docx_bytes(), ev.DOCX[0]),
    ],
)
def test_allowed_types_are_accepted_and_stored_under_a_random_name(
    collection, bnnk_a, sk, media, name, data, mime
):
    doc = upload(collection, bnnk_a, name, data, evidence_type=sk, title="Dokumen")
    assert doc.content_type == mime and doc.size == len(data) and doc.original_name == name
    assert name not in doc.file.name and doc.file.name.startswith(f"evidence/{collection.pk}/")
    assert (media / doc.file.name).read_bytes() == data
    # With no questions chosen, the document supports its type's questions.
    assert [q.code for q in doc.questions.all()] == ["q_yesno"]


def test_exe_renamed_pdf_is_refused_and_nothing_changes(collection, bnnk_a, sk, media):
    with pytest.raises(ServiceError) as exc:
        upload(collection, bnnk_a, "sk-tim-terpadu.pdf", EXE, evidence_type=sk)
    assert exc.value.code == "bad_type"
    assert "tidak diizinkan" in exc.value.message and "EXE" in exc.value.message
    assert not Evidence.objects.exists() and not list(media.rglob("*"))


@pytest.mark.parametrize("data", [plain_zip(), b"just some text, not a document", b"GIF89a\x01\x00\x01\x00"])
def test_other_content_named_docx_is_refused(collection, bnnk_a, data):
    with pytest.raises(ServiceError) as exc:
        upload(collection, bnnk_a, "laporan.docx", data)
    assert exc.value.code == "bad_type"
    assert not Evidence.objects.exists()


def test_size_label_of_the_default_limit():
    assert ev.max_size_label() == "10 MB"


def test_oversized_file_is_refused_with_the_limit(settings, collection, bnnk_a, media):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ServiceError) as exc:
        upload(collection, bnnk_a, "besar.pdf", PDF + b"0" * 2000)
    assert exc.value.code == "too_big"
    assert exc.value.message == "Berkas terlalu besar (2 KB). Ukuran maksimum 1 KB per berkas."
    assert not Evidence.objects.exists() and not list(media.rglob("*"))
    assert upload(collection, bnnk_a, "kecil.pdf", PDF).pk  # under the limit still fine


def test_a_name_claiming_another_type_gets_the_real_extension(collection, bnnk_a):
    doc = upload(collection, bnnk_a, "scan.pdf", png_bytes())
    assert doc.content_type == "image/png" and doc.original_name == "scan.png"


def test_only_the_bnnk_while_open_may_upload(collection, bnnk_b, bnnp_a, bnnk_a, inst):
    for user in (bnnk_b, bnnp_a):
        with pytest.raises(NotAllowed):
            upload(collection, user, "a.pdf", PDF)
    collection.state = "submitted"
    collection.save()
    with pytest.raises(NotAllowed):
        upload(collection, bnnk_a, "a.pdf", PDF)
    assert not Evidence.objects.exists()


def test_type_and_questions_of_another_instrument_are_refused(collection, bnnk_a):
    other = make_instrument()
    with pytest.raises(ServiceError):
        upload(collection, bnnk_a, "a.pdf", PDF, evidence_type=EvidenceType.objects.get(instrument=other))
    with pytest.raises(ServiceError):
        upload(collection, bnnk_a, "a.pdf", PDF, questions=[question(other, "q_likert")])
    assert not Evidence.objects.exists()


def test_delete_keeps_history_and_is_refused_after_submit(collection, bnnk_a, sk):
    doc = upload(collection, bnnk_a, "sk.pdf", PDF, evidence_type=sk)
    pk = doc.pk
    ev.evidence_delete(evidence=doc, user=bnnk_a)
    assert not Evidence.objects.exists()
    assert list(
        Evidence.history.filter(id=pk).values_list("history_type", flat=True).order_by("history_id")
    ) == ["+", "-"]
    doc2 = upload(collection, bnnk_a, "sk.pdf", PDF, evidence_type=sk)
    collection.state = "submitted"
    collection.save()
    with pytest.raises(NotAllowed):
        ev.evidence_delete(evidence=doc2, user=bnnk_a)
    assert Evidence.objects.filter(pk=doc2.pk).exists()


def test_checklist_marks_required_types_and_counts_queries(collection, bnnk_a, sk, django_assert_num_queries):
    rows = ev.collection_checklist(collection)
    assert rows[0]["type"] == sk and rows[0]["missing"] is True
    for i in range(3):
        upload(collection, bnnk_a, f"sk{i}.pdf", PDF, evidence_type=sk)
    upload(collection, bnnk_a, "lain.pdf", PDF)
    with django_assert_num_queries(3):
        rows = ev.collection_checklist(collection)
        codes = [[q.code for q in d.questions.all()] for r in rows for d in r["documents"]]
    assert rows[0]["missing"] is False and len(rows[0]["documents"]) == 3
    assert rows[-1]["type"] is None and len(rows[-1]["documents"]) == 1
    assert codes[0] == ["q_yesno"]


# --- the pages -----------------------------------------------------------------------------------


def post_upload(client, data, name="sk.pdf", **fields):
    return client.post(
        "/survei/periode/2026/3573/bukti/unggah/", {"file": SimpleUploadedFile(name, data), **fields}
    )


def test_upload_page_accepts_and_panel_lists(client_for, bnnk_a, sk):
    client = client_for(bnnk_a)
    resp = post_upload(client, PDF, evidence_type=sk.pk, title="SK Tim Terpadu 2026")
    assert resp.status_code == 302 and resp["Location"].endswith("#bukti")
    html = client.get("/survei/periode/2026/3573/").content.decode()
    doc = Evidence.objects.get()
    assert "SK Tim Terpadu 2026" in html and f"/survei/bukti/{doc.pk}/unduh/" in html
    assert "Riwayat perubahan" in html


def test_upload_page_refuses_disguised_exe_with_message(client_for, bnnk_a, sk):
    resp = post_upload(client_for(bnnk_a), EXE, name="sk.pdf", evidence_type=sk.pk, title="Judul saya")
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "Jenis berkas tidak diizinkan" in html and "EXE" in html
    assert 'value="Judul saya"' in html  # what was typed stays
    assert not Evidence.objects.exists()


def test_upload_page_refuses_oversized(settings, client_for, bnnk_a, collection):
    settings.EVIDENCE_MAX_BYTES = 1000
    resp = post_upload(client_for(bnnk_a), PDF + b" " * 1200)
    assert resp.status_code == 400
    assert "terlalu besar" in resp.content.decode()
    resp = post_upload(client_for(bnnk_a), PDF + b" " * 5000)  # far beyond: refused before reading
    assert resp.status_code == 413 and "terlalu besar" in resp.content.decode()
    assert not Evidence.objects.exists()


def test_upload_by_bnnp_is_refused(client_for, bnnp_a, collection):
    resp = post_upload(client_for(bnnp_a), PDF)
    assert resp.status_code == 302
    assert not Evidence.objects.exists()


@pytest.fixture
def doc(collection, bnnk_a, sk):
    return upload(collection, bnnk_a, "SK Tim Terpadu.pdf", PDF, evidence_type=sk)


def test_download_by_own_bnnk_bnnp_and_pusat(client_for, doc, bnnk_a, bnnp_a, pusat):
    for user in (bnnk_a, bnnp_a, pusat):
        resp = client_for(user).get(f"/survei/bukti/{doc.pk}/unduh/")
        assert resp.status_code == 200
        assert b"".join(resp.streaming_content) == PDF
        assert resp["Content-Type"] == "application/pdf"
        assert resp["Content-Disposition"].startswith("attachment")
        assert "SK Tim Terpadu.pdf" in resp["Content-Disposition"]
        assert resp["X-Content-Type-Options"] == "nosniff"


def test_download_by_foreign_users_is_404_and_anonymous_redirected(
    client, client_for, doc, bnnk_b, bnnk_other, bnnp_other
):
    for user in (bnnk_b, bnnk_other, bnnp_other):
        assert client_for(user).get(f"/survei/bukti/{doc.pk}/unduh/").status_code == 404
    client.logout()
    resp = client.get(f"/survei/bukti/{doc.pk}/unduh/")
    assert resp.status_code == 302 and "/akun/login/" in resp["Location"]


def test_download_of_a_missing_file_is_404_not_500(client_for, doc, bnnk_a, media):
    (media / doc.file.name).unlink()
    assert client_for(bnnk_a).get(f"/survei/bukti/{doc.pk}/unduh/").status_code == 404


def test_delete_page(client_for, doc, bnnk_a, bnnk_b, bnnp_a):
    assert client_for(bnnk_b).post(f"/survei/bukti/{doc.pk}/hapus/").status_code == 404
    client_for(bnnp_a).post(f"/survei/bukti/{doc.pk}/hapus/")
    assert Evidence.objects.filter(pk=doc.pk).exists()
    assert client_for(bnnk_a).get(f"/survei/bukti/{doc.pk}/hapus/").status_code == 405
    resp = client_for(bnnk_a).post(f"/survei/bukti/{doc.pk}/hapus/")
    assert resp.status_code == 302 and not Evidence.objects.exists()
