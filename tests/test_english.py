"""The English interface: the language switch gives English pages, and the catalogue is complete.

Needs the compiled catalogue (`make messages`, which `make test` runs first).
"""

import re
from pathlib import Path

import pytest

from tests.factories import make_collection

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.mark.django_db
def test_login_page_in_english(client):
    body = english(client).get("/akun/login/").content.decode()
    assert 'lang="en"' in body
    assert "Log in to KOTAN" in body
    assert "Masuk ke KOTAN" not in body


@pytest.mark.django_db
def test_collection_page_in_english(client, regency_a, bnnk_a):
    collection = make_collection(regency_a)
    client.force_login(bnnk_a)
    body = english(client).get(f"/survei/periode/{collection.period.year}/{regency_a.code}/").content.decode()
    for text in ("Collection deadline", "Submit the collection", "No questionnaires yet."):
        assert text in body
    for text in ("Batas pengumpulan", "Kirim koleksi", "Belum ada kuesioner."):
        assert text not in body


@pytest.mark.django_db
def test_service_messages_follow_the_language(client, regency_a, bnnk_a):
    collection = make_collection(regency_a)
    client.force_login(bnnk_a)
    english(client)
    response = client.post(f"/survei/periode/{collection.period.year}/{regency_a.code}/kirim/", follow=True)
    body = response.content.decode()
    assert "The collection cannot be submitted yet." in body


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-+ 0#]*\d*(?:\.\d+)?[sdfgr]")


def _entries(text: str) -> list[dict[str, str]]:
    """The catalogue's entries as {field: text} (msgid, msgid_plural, msgstr, msgstr[0], ..., flags)."""
    entries = []
    for block in text.strip().split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        field = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[field] += line[1:-1]
            else:
                field, _sep, rest = line.partition(" ")
                entry[field] = rest[1:-1]
        entries.append(entry)
    return entries


def test_catalogue_has_no_empty_or_fuzzy_entries():
    entries = _entries(PO.read_text(encoding="utf-8"))
    assert len(entries) > 500
    header, *messages = [e for e in entries if "msgid" in e]  # obsolete (#~) blocks have none
    assert "fuzzy" not in header["flags"]
    for e in messages:
        assert "fuzzy" not in e["flags"], e["msgid"]
        translations = [v for k, v in e.items() if k.startswith("msgstr")]
        assert translations and all(translations), f"untranslated: {e['msgid']}"
        source = e["msgid"] + e.get("msgid_plural", "")
        for t in translations:
            assert set(PLACEHOLDER.findall(t)) <= set(PLACEHOLDER.findall(source)), e["msgid"]
