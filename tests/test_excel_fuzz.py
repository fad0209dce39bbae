"""Any bytes give a preview with a message, never an exception: damaged copies of a real upload, and
through the pages any file, body, cell value or apply request: a message, never a 500, nothing imported
unless a clean preview is applied."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from assessments.bulk import workbook as excel
from assessments.models import Answer, Questionnaire
from tests.excel_fixtures import family_row, fill
from tests.factories import group, make_collection
from tests.fuzz_inputs import FUZZ, FUZZ_SLOW, SCRIPT, assert_polite, raw_body, text_input


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_damaged_uploads_never_raise(regency_a, bnnk_a):
    collection = make_collection(regency_a)
    keluarga = group(collection.period.instrument, "keluarga")
    good = fill(excel.build_template(collection, keluarga), [family_row(n) for n in range(4)])
    rng = random.Random(20260301)  # fixed seed: the same damaged files on every run
    samples = []
    for _ in range(60):
        data = bytearray(good)
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        samples.append(bytes(data))
    samples += [good[:n] for n in (4, 30, 500, len(good) - 1)]
    # Valid zips whose parts are garbage or missing.
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    for victim in parts:
        for replacement in (b"", b"<x>", None):
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as out:
                for name, content in parts.items():
                    if name != victim:
                        out.writestr(name, content)
                    elif replacement is not None:
                        out.writestr(name, replacement)
            samples.append(buffer.getvalue())
    outcomes = {"fatal": 0, "problems": 0, "clean": 0}
    for data in samples:
        preview = excel.parse_upload(collection, bnnk_a, data)
        if preview.fatal:
            assert preview.problems and preview.problems[0].message
            outcomes["fatal"] += 1
        elif preview.problems:
            outcomes["problems"] += 1
        else:
            outcomes["clean"] += 1
    assert outcomes["fatal"] > 0
    assert not Questionnaire.objects.exists()


# --- through the pages: any upload, any cell, any apply request ----------------------------------


def created_nothing() -> bool:
    return not Questionnaire.objects.exists() and not Answer.objects.exists()


def excel_url(collection, name: str) -> str:
    return f"/survei/periode/{collection.period.year}/{collection.regency.code}/excel/{name}/"


@pytest.fixture
def keluarga_template(regency_a):
    collection = make_collection(regency_a)
    keluarga = group(collection.period.instrument, "keluarga")
    return collection, excel.build_template(collection, keluarga)


def test_upload_page_with_any_file(client_for, bnnk_a, keluarga_template):
    collection, template = keluarga_template
    good = fill(template, [family_row(n) for n in range(3)])
    client = client_for(bnnk_a)

    @FUZZ
    @given(
        data=st.one_of(
            st.just(good),
            st.binary(max_size=400),
            st.tuples(st.integers(0, len(good) - 1), st.binary(min_size=1, max_size=30)).map(
                lambda cut: good[: cut[0]] + cut[1] + good[cut[0] + len(cut[1]) :]
            ),
        ),
        name=text_input.filter(lambda t: t.strip()),
        content_type=st.sampled_from([excel.XLSX_CONTENT_TYPE, "text/csv", "application/pdf", "image/png"]),
    )
    def run(data, name, content_type):
        response = client.post(
            excel_url(collection, "unggah"), {"berkas": SimpleUploadedFile(name, data, content_type)}
        )
        assert_polite(response, json_expected=False)
        if response.status_code == 302:
            assert_polite(client.get(response["Location"]), json_expected=False)
        else:
            assert response.status_code == 400 and 'role="alert"' in response.content.decode()
        assert created_nothing()

    run()


def test_upload_page_with_any_body(client_for, bnnk_a, keluarga_template):
    collection, _template = keluarga_template
    client = client_for(bnnk_a)

    @FUZZ
    @given(raw=raw_body)
    def run(raw):
        content_type, body = raw
        response = client.post(excel_url(collection, "unggah"), data=body, content_type=content_type)
        assert_polite(response, json_expected=False)
        assert response.status_code == 400
        assert created_nothing()

    run()


# Cell values: valid ones, numbers too large or not finite, injection strings, any text openpyxl can
# write (XML refuses control characters, so no file can carry them).
cell_text = text_input.map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t))
cell = st.one_of(
    cell_text,
    st.sampled_from([1e308, -1e308, 1e-300, 10**20, -1, 0, 3, 2.5, "1e309", "NaN", "inf", SCRIPT]),
    st.integers(-(10**6), 10**6),
)


def test_any_cells_get_a_preview_and_a_refused_apply_changes_nothing(client_for, bnnk_a, keluarga_template):
    collection, template = keluarga_template
    client = client_for(bnnk_a)
    columns = list(family_row(0))

    @FUZZ_SLOW
    @given(
        rows=st.lists(
            st.fixed_dictionaries({}, optional=dict.fromkeys(columns, cell)).map(
                lambda damage: {**family_row(1), **damage}
            ),
            min_size=1,
            max_size=4,
        )
    )
    def run(rows):
        Questionnaire.objects.all().delete()
        response = client.post(
            excel_url(collection, "unggah"), {"berkas": SimpleUploadedFile("isi.xlsx", fill(template, rows))}
        )
        assert_polite(response, json_expected=False)
        if response.status_code != 302:
            assert created_nothing()
            return
        preview = client.get(response["Location"])
        assert_polite(preview, json_expected=False)
        body = preview.content.decode()
        assert SCRIPT not in body
        token = client.session[f"excel_upload_{collection.pk}"]["token"]
        applied = client.post(excel_url(collection, "terapkan"), {"unggahan": token}, follow=True)
        assert_polite(applied, json_expected=False)
        if preview.context["error_count"]:
            assert created_nothing()
        else:
            assert Questionnaire.objects.count() == len(rows)

    run()


def test_apply_with_any_token_or_body_imports_nothing(client_for, bnnk_a, keluarga_template):
    collection, template = keluarga_template
    client = client_for(bnnk_a)
    client.post(
        excel_url(collection, "unggah"),
        {"berkas": SimpleUploadedFile("isi.xlsx", fill(template, [family_row(1)]))},
    )
    waiting = client.session[f"excel_upload_{collection.pk}"]["token"]

    @FUZZ
    @given(token=text_input.filter(lambda t: t != waiting), raw=st.none() | raw_body)
    def run(token, raw):
        if raw is None:
            response = client.post(excel_url(collection, "terapkan"), {"unggahan": token}, follow=True)
        else:
            response = client.post(
                excel_url(collection, "terapkan"), data=raw[1], content_type=raw[0], follow=True
            )
        assert_polite(response, json_expected=False)
        assert created_nothing()

    run()
    # The waiting upload is still there and still applies.
    client.post(excel_url(collection, "terapkan"), {"unggahan": waiting})
    assert Questionnaire.objects.count() == 1
