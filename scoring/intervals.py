"""The bootstrap's uncertainty of the IKOTAN index and ranks: pure (numpy/pandas, no Django, no database).

ranked_set_fingerprint() names the ranked set a RankIntervals row was computed from, so a page compares it
with the ranking it shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def ranked_set_fingerprint(pairs: Iterable[tuple[int, str]]) -> str:
    """sha256 hex of the ranked set: "collection_id:input_hash" of each ranked score, sorted, one a line."""
    lines = sorted(f"{int(cid)}:{input_hash}" for cid, input_hash in pairs)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()
