"""Helpers shared by the field-kit test modules: the endpoints' URLs, a JSON POST, a queued questionnaire
as the offline client sends it, and a small valid JPEG."""

from __future__ import annotations

import datetime
import json
import uuid

from django.urls import reverse
from django.utils import timezone

from instruments.models import Question

# The first bytes of a real JPEG file (SOI, APP0/JFIF): enough for the type check (filetype).
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\xff\xdb\x00C\x00"
    + bytes(range(64))
    + b"\xff\xd9"
)


def endpoint(name: str, collection) -> str:
    return reverse(f"assessments:fieldkit_{name}", args=[collection.period.year, collection.regency.code])


def post_json(client, url: str, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", headers=headers)


def qid(collection, code: str) -> int:
    return Question.objects.get(instrument=collection.period.instrument, code=code).pk


def item(collection, answers: dict | None = None, *, group="keluarga", complete=False, uid=None, **fields):
    """A queued questionnaire: answers {question code: value or (value, base_version)}."""
    rows = []
    for code, given in (answers or {}).items():
        value, base = given if isinstance(given, tuple) else (given, 0)
        rows.append({"question": qid(collection, code), "value": value, "base_version": base})
    return {
        "uuid": str(uid or uuid.uuid4()),
        "id": fields.pop("id", None),
        "group": group,
        "label": fields.pop("label", "RT 01"),
        "village": fields.pop("village", "Lowokwaru"),
        "filled_on": fields.pop("filled_on", (timezone.localdate() - datetime.timedelta(days=1)).isoformat()),
        "answers": rows,
        "complete": complete,
        **fields,
    }
