"""Any bytes give a preview with a message, never an exception: damaged copies of a real upload."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from assessments import excel
from assessments.models import Questionnaire
from tests.factories import group, make_collection
from tests.test_excel import family_row, fill


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
