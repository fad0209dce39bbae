"""Asking for scores to be (re)computed. Called by assessments services after their transaction commits.

The score issue replaces the body with a debounced Celery enqueue; until then nothing is computed.
"""


def request_collection_score(collection_id: int) -> None:
    """Ask for this collection's score to be recomputed (debounced, never raises to the caller)."""
    return None
