"""Static files that a browser keeps (issue 14): hashed names linked by the pages, `Cache-Control:
max-age=31536000, immutable` on them, and 304 to a conditional request, also when the gzip middleware made
the ETag weak, with DEBUG on (`make run`, STATIC_HASHED=1) and off (production).
"""

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client

CSS = "body { color: #123456; }\n" * 40  # over the 200 bytes the gzip middleware leaves alone


@pytest.fixture
def collected(settings, tmp_path):
    """A static folder of one stylesheet, collected under hashed names into a fresh STATIC_ROOT."""
    source = tmp_path / "src"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text(CSS)
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "kotan.infra.static.HashedStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings


@pytest.mark.parametrize("debug", [True, False], ids=["make-run", "production"])
@pytest.mark.parametrize("encoding", ["gzip", ""], ids=["gzip", "identity"])
def test_hashed_static_file_is_immutable_and_answers_304(collected, debug, encoding):
    collected.DEBUG = debug
    url = staticfiles_storage.url("css/site.css")
    assert url.startswith("/static/css/site.") and url != "/static/css/site.css"  # hashed, DEBUG or not
    client = Client()  # built after the settings change: WhiteNoise reads them once
    first = client.get(url, headers={"accept-encoding": encoding})
    assert first.status_code == 200
    assert first["Cache-Control"] == "max-age=31536000, public, immutable"
    tag = first["ETag"]
    assert tag.startswith('W/"') == (encoding == "gzip")  # the gzip middleware weakens it
    again = client.get(url, headers={"accept-encoding": encoding, "if-none-match": tag})
    assert again.status_code == 304
    assert b"".join(again.streaming_content) == b""
    other = client.get(url, headers={"accept-encoding": encoding, "if-none-match": '"not-this-one"'})
    assert other.status_code == 200


def test_unhashed_name_is_not_immutable(collected):
    collected.DEBUG = True  # make run: the files' own names still answer (from the finders), briefly cached
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert "immutable" not in response.get("Cache-Control", "")
