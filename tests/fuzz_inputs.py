"""Shared bad input for the tests/test_fuzz_*.py files: hypothesis strategies and the checks every
answer to bad input must pass (no 5xx; a 4xx says why; nothing saved changes when a request is refused).
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Modest: the whole suite must stay quick. Derandomized so a run is the same on every machine.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# For examples that build and parse a whole XLSX file (about half a second each).
FUZZ_SLOW = settings(FUZZ, max_examples=15)

NASTY_TEXT = [
    "",
    " ",
    "0",
    "-1",
    "4",
    "4.0",
    "1,5",
    "1e308",
    "-1e308",
    "1e309",
    "1e-400",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "0x10",
    "1_000",
    "４",  # full-width digit
    "٣",  # Arabic-Indic digit
    "9" * 400,
    "ya",
    "tidak",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE assessments_answer; --",
    "' OR '1'='1",
    "a\x00b",
    "\x00",
    "\u202e\u0661",
    "../../etc/passwd",
    "{{ 7*7 }}",
    "null",
    "[]",
    "{}",
]
SCRIPT = "<script>alert(1)</script>"

# Text that a browser can send (no lone surrogates: they cannot be encoded as UTF-8).
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=150)
text_input = st.one_of(
    st.sampled_from(NASTY_TEXT),
    any_text,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)

CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",  # no boundary
    "multipart/form-data; boundary=xyz",
    "application/json",
    "text/plain",
    "application/octet-stream",
]
# Declared in another charset (Django refuses form data that is not UTF-8). The test client re-encodes
# such bodies from UTF-8 into that charset, so these get ASCII text, not arbitrary bytes.
OTHER_CHARSETS = [
    "application/x-www-form-urlencoded; charset=latin-1",
    "text/html; charset=utf-16",
]
BROKEN_BODIES = [
    b"question=%FF%FE&value=%C3%28&base_version=0",
    b"\xff\xfe\xfd",
    b"value=" + b"\xc3" * 50,
    b'{"question": 1, "value": "4"}',
    b'--xyz\r\nContent-Disposition: form-data; name="value"\r\n\r\n4\r\n',  # cut off
    b"a=" + b"&a=" * 1200,  # more fields than Django accepts
]
raw_body = st.one_of(
    st.tuples(st.sampled_from(CONTENT_TYPES), st.sampled_from(BROKEN_BODIES) | st.binary(max_size=600)),
    st.tuples(
        st.sampled_from(OTHER_CHARSETS),
        st.sampled_from([b"question=1&value=4", b"value=%FF"])
        | st.text(alphabet=st.characters(max_codepoint=127), max_size=200).map(str.encode),
    ),
)


def assert_polite(response, *, json_expected: bool) -> None:
    """Never a server error; a refusal carries a message the user can read; HTML echoes input escaped.

    (JSON answers may carry the input as it came: they are application/json, and autosave.js shows
    messages with textContent.)"""
    assert response.status_code < 500, response.content[:500]
    content_type = response.get("Content-Type", "")
    body = response.content.decode("utf-8", "replace") if not response.streaming else ""
    if content_type.startswith("text/html"):
        assert SCRIPT not in body
    if response.status_code < 400:
        return
    if json_expected:
        assert content_type.startswith("application/json"), (response.status_code, body[:200])
        data = json.loads(body)
        assert data["ok"] is False and isinstance(data["message"], str) and data["message"].strip()
    else:
        assert body.strip(), response.status_code
