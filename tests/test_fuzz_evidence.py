"""Evidence upload under any input: a stored document or a 4xx page with a message, never a 500; a
refused upload leaves the documents, their links to questions, their history and the files on disk
exactly as they were. Titles and names come back escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from assessments.evidence import services as ev
from assessments.models import Evidence
from instruments.models import EvidenceType
from tests.factories import make_collection, make_period
from tests.fuzz_inputs import FUZZ, NASTY_TEXT, SCRIPT, assert_polite, raw_body, text_input
from tests.test_evidence import EXE, JPEG, PDF, png_bytes

pytestmark = pytest.mark.django_db

LIMIT = 4096  # bytes per file in these tests, so "too big" is cheap to make


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_MAX_BYTES = LIMIT
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def collection(regency_a, regency_b, bnnk_a, media):
    collection = make_collection(regency_a, make_period(regencies=[regency_a, regency_b], year=2026))
    sk = EvidenceType.objects.get(instrument=collection.period.instrument, code="sk")
    # A document already there, which no refused upload may touch.
    ev.evidence_upload(
        collection=collection,
        user=bnnk_a,
        uploaded_file=SimpleUploadedFile("sk.pdf", PDF),
        title="SK lama",
        evidence_type=sk,
    )
    return collection


def stored_state(media: Path) -> tuple:
    docs = sorted(
        Evidence.objects.values_list(
            "id", "title", "original_name", "content_type", "size", "evidence_type_id", "file"
        )
    )
    links = sorted(Evidence.questions.through.objects.values_list("evidence_id", "question_id"))
    files = sorted((str(p.relative_to(media)), p.stat().st_size) for p in media.rglob("*") if p.is_file())
    return docs, links, Evidence.history.count(), files


contents = st.one_of(
    st.sampled_from([PDF, JPEG, png_bytes(), EXE, b"", PDF + b"\0" * LIMIT, b"GIF89a\x01\x00"]),
    st.binary(max_size=300),
)
file_names = st.one_of(
    st.sampled_from(
        ["sk.pdf", "../../etc/passwd", "<script>alert(1)</script>.pdf", "a" * 300 + ".pdf", "x.exe", ".pdf"]
    ),
    text_input.filter(lambda t: t.strip()),
)


def upload_form(collection):
    inst = collection.period.instrument
    type_ids = list(inst.evidence_types.values_list("pk", flat=True))
    question_ids = list(inst.questions.values_list("pk", flat=True))
    ids = st.one_of(
        st.sampled_from(type_ids + question_ids), st.integers(-5, 2**40), st.sampled_from(NASTY_TEXT)
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "title": text_input,
            "evidence_type": ids.map(str),
            "questions": st.lists(ids.map(str), max_size=4),
            "file": st.builds(
                lambda name, data, ctype: SimpleUploadedFile(name, data, content_type=ctype),
                file_names,
                contents,
                st.sampled_from(["application/pdf", "image/png", "text/html", "application/x-msdownload"]),
            ),
        },
    )


def test_any_upload_form(client_for, bnnk_a, collection, media):
    client = client_for(bnnk_a)
    url = f"/survei/periode/2026/{collection.regency.code}/bukti/unggah/"
    home = f"/survei/periode/2026/{collection.regency.code}/"

    @FUZZ
    @given(form=upload_form(collection))
    def run(form):
        before = stored_state(media)
        response = client.post(url, form)
        assert_polite(response, json_expected=False)
        if response.status_code >= 400:
            assert stored_state(media) == before
            assert (
                "alert-danger" in response.content.decode() or "invalid-feedback" in response.content.decode()
            )
        else:
            assert response.status_code == 302 and response["Location"] == home + "#bukti"
            assert SCRIPT not in client.get(home).content.decode()

    run()


def test_any_body_and_content_type(client_for, bnnk_a, collection, media):
    client = client_for(bnnk_a)
    url = f"/survei/periode/2026/{collection.regency.code}/bukti/unggah/"

    @FUZZ
    @given(raw=raw_body)
    def run(raw):
        before = stored_state(media)
        content_type, body = raw
        response = client.post(url, data=body, content_type=content_type)
        assert_polite(response, json_expected=False)
        assert response.status_code >= 400
        assert stored_state(media) == before

    run()


def test_a_body_far_beyond_the_limit_is_refused_before_it_is_read(client_for, bnnk_a, collection, media):
    before = stored_state(media)
    big = SimpleUploadedFile("besar.pdf", PDF + b"\0" * (5 * LIMIT))
    response = client_for(bnnk_a).post(
        f"/survei/periode/2026/{collection.regency.code}/bukti/unggah/", {"file": big}
    )
    assert response.status_code == 413
    assert "terlalu besar" in response.content.decode()
    assert stored_state(media) == before


def test_an_injected_title_and_file_name_are_shown_escaped(client_for, bnnk_a, collection, media):
    client = client_for(bnnk_a)
    response = client.post(
        f"/survei/periode/2026/{collection.regency.code}/bukti/unggah/",
        {"title": SCRIPT, "file": SimpleUploadedFile(f"{SCRIPT}.pdf", PDF)},
    )
    assert response.status_code == 302
    doc = Evidence.objects.get(title=SCRIPT)
    body = client.get(f"/survei/periode/2026/{collection.regency.code}/").content.decode()
    assert SCRIPT not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    download = client.get(f"/survei/bukti/{doc.pk}/unduh/")
    assert "<script>" not in download["Content-Disposition"]
