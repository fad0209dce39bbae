"""Zip bombs and other hostile zips (kotan.lib.zipcheck): refused the same way as evidence, by the Excel bulk
importer, the instrument import and the user import; genuine XLSX/DOCX files still pass."""

from __future__ import annotations

import functools
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import onboarding
from assessments.bulk import workbook as excel
from assessments.evidence import services as ev
from assessments.models import Evidence, Questionnaire
from instruments import xlsx as instrument_xlsx
from instruments.models import EvidenceType, Instrument
from kotan.lib import zipcheck
from kotan.lib.service_errors import ServiceError
from tests.factories import group, make_collection, make_period
from tests.test_evidence import docx_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/></Types>'
)
MB = 1024 * 1024


@functools.cache
def bomb(inflated_mb: int = 200, parts: tuple[str, ...] = ("xl/workbook.xml",)) -> bytes:
    """A zip of about inflated_mb/220 MB whose one member inflates to inflated_mb MB of zeros, beside the
    parts that make it look like an Office package. Written in 1 MB chunks: 200 MB takes ~0.5 s."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        for name in parts:
            zf.writestr(name, "<x/>")
        with zf.open(
            "xl/worksheets/sheet1.xml" if "xl/workbook.xml" in parts else "word/media/a.bin", "w"
        ) as w:
            chunk = b"\0" * MB
            for _ in range(inflated_mb):
                w.write(chunk)
    return out.getvalue()


@functools.cache
def many_members(n: int = zipcheck.MAX_MEMBERS + 1) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("xl/workbook.xml", "<x/>")
        for i in range(n):
            zf.writestr(f"xl/p/{i}.xml", "")
    return out.getvalue()


@functools.cache
def big_genuine_xlsx(rows: int = 10_000) -> bytes:
    """A real openpyxl workbook whose sheet inflates to several MB (so the ratio rule is applied to it)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("kuesioner")
    for _ in range(rows):
        ws.append([1, 1, 1, 1, "Lowokwaru"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def directory(data: bytes) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.infolist()


# --- the rule ------------------------------------------------------------------------------------


def test_the_bomb_is_small_but_inflates_far_beyond_the_limit():
    data = bomb()
    assert len(data) < 2 * MB and sum(i.file_size for i in directory(data)) > 200 * MB
    assert "terlalu besar" in zipcheck.directory_problem(directory(data))
    assert "zip bomb" in zipcheck.directory_problem(directory(data))


def test_a_bomb_under_the_size_limit_is_refused_by_its_ratio():
    data = bomb(30)  # 30 MB of zeros: under 40 MB, but ~1000:1
    problem = zipcheck.directory_problem(directory(data))
    assert problem and "tidak wajar" in problem and "zip bomb" in problem


def test_too_many_members_are_refused():
    problem = zipcheck.directory_problem(directory(many_members()))
    assert problem and "terlalu banyak bagian" in problem and "10.000" in problem
    assert zipcheck.directory_problem(directory(many_members(500))) is None


def test_genuine_files_pass():
    for data in (xlsx_bytes(), docx_bytes(), big_genuine_xlsx()):
        assert zipcheck.directory_problem(directory(data)) is None
    infos = directory(big_genuine_xlsx())
    assert max(i.file_size for i in infos) > zipcheck.RATIO_FROM  # the ratio rule was really applied


def test_a_small_highly_compressed_part_is_fine():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/styles.xml", " " * (zipcheck.RATIO_FROM - 1))  # ~1000:1 but under 1 MB
    assert zipcheck.directory_problem(directory(out.getvalue())) is None


def test_file_problem_reads_only_the_directory_and_rewinds():
    handle = io.BytesIO(bomb())
    handle.seek(100)
    assert "zip bomb" in zipcheck.file_problem(handle)
    assert handle.tell() == 0
    assert "rusak" in zipcheck.file_problem(io.BytesIO(b"PK\x03\x04" + b"\xff" * 300))


# --- evidence ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def collection(regency_a, regency_b):
    return make_collection(regency_a, make_period(regencies=[regency_a, regency_b], year=2026))


@pytest.fixture
def sk(collection):
    return EvidenceType.objects.get(instrument=collection.period.instrument, code="sk")


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def upload(collection, user, name, data, **kw):
    return ev.evidence_upload(
        collection=collection, user=user, uploaded_file=SimpleUploadedFile(name, data), **kw
    )


BOMBS = {
    "xlsx-bomb": lambda: bomb(),
    "docx-bomb": lambda: bomb(200, ("word/document.xml",)),
    "ratio-bomb": lambda: bomb(30),
    "many-members": lambda: many_members(),
}


@pytest.mark.parametrize("name", ["rekap.xlsx", "laporan.docx"])
@pytest.mark.parametrize("kind", list(BOMBS))
def test_evidence_service_refuses_zip_bombs_and_keeps_nothing(collection, bnnk_a, sk, media, name, kind):
    data = BOMBS[kind]()
    assert ev.detect_type(io.BytesIO(data))[0] is not None  # it does look like an Office file
    with pytest.raises(ServiceError) as exc:
        upload(collection, bnnk_a, name, data, evidence_type=sk)
    assert exc.value.code == "zip_bomb"
    assert "zip bomb" in exc.value.message and "ditolak" in exc.value.message
    assert not Evidence.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize("name", ["rekap.xlsx", "laporan.docx"])
def test_evidence_page_shows_why_a_bomb_is_refused(client_for, bnnk_a, sk, media, name):
    resp = client_for(bnnk_a).post(
        "/survei/periode/2026/3573/bukti/unggah/",
        {"file": SimpleUploadedFile(name, bomb()), "evidence_type": sk.pk, "title": "Rekap"},
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "data terkompresi yang terlalu besar" in html and "zip bomb" in html
    assert not Evidence.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(
    "name, data",
    [("rekap.xlsx", xlsx_bytes()), ("besar.xlsx", big_genuine_xlsx()), ("laporan.docx", docx_bytes())],
)
def test_genuine_office_evidence_is_still_accepted(collection, bnnk_a, sk, media, name, data):
    doc = upload(collection, bnnk_a, name, data, evidence_type=sk)
    assert doc.original_name == name and (media / doc.file.name).read_bytes() == data


# --- the other importers use the same rule -------------------------------------------------------


def test_excel_importer_refuses_the_same_bombs(collection, bnnk_a):
    group(collection.period.instrument, "keluarga")
    for data in (bomb(), bomb(30), many_members()):
        preview = excel.parse_upload(collection, bnnk_a, io.BytesIO(data), filename="kuesioner.xlsx")
        assert preview.fatal
        assert preview.problems[0].message == zipcheck.directory_problem(directory(data))
    assert not Questionnaire.objects.exists()


def test_excel_upload_page_refuses_the_bomb(client_for, bnnk_a, collection):
    resp = client_for(bnnk_a).post(
        f"/survei/periode/2026/{collection.regency.code}/excel/unggah/",
        {"berkas": SimpleUploadedFile("kuesioner.xlsx", bomb(), content_type=excel.XLSX_CONTENT_TYPE)},
    )
    assert resp.status_code == 400 and "zip bomb" in resp.content.decode()
    assert not Questionnaire.objects.exists() and list(excel.pending_dir().iterdir()) == []


def test_instrument_import_and_user_import_refuse_the_bomb():
    before = Instrument.objects.count()
    result = instrument_xlsx.instrument_import(bomb())
    assert result.instrument is None and "zip bomb" in result.problems[0]
    assert Instrument.objects.count() == before
    with pytest.raises(onboarding.SheetError) as exc:
        onboarding.read_sheet(many_members(), "pengguna.xlsx")
    assert "terlalu banyak bagian" in exc.value.message
