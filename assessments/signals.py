"""What happened to the survey, told to the layers above (notifications, scoring) after commit.

The survey app never imports the apps that react to it: workflow and services send these signals, and
each higher app connects its receivers in its AppConfig.ready (notifications: the messages; scoring:
score recomputation). These are sent only once the caller's transaction has committed, so a rolled
back transition tells nobody, and sent robustly, so a failing receiver never undoes or breaks a saved
transition (its error is logged). One is sent inside the transaction, for the survey app's own modules
that build on workflow (collection_deadline_extended: the respondent links).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# A kab/kota sent its collection. Arguments: collection (period and regency loaded).
collection_submitted = Signal()
# The BNNP returned a collection. Arguments: collection, comment_summary (the comments' text, one a line).
collection_returned = Signal()
# The BNNP verified a collection. Arguments: collection.
collection_verified = Signal()
# BNN pusat extended a collection's deadline. Arguments: collection. Sent INSIDE the transaction (not
# after commit): what follows the deadline within the survey app (respondent links) changes with it.
collection_deadline_extended = Signal()
# A collection's stored score no longer matches its data. Arguments: collection_id.
collection_score_stale = Signal()
# Every score of a period is stale (a weight, band or quota edit). Arguments: period_id.
period_scores_stale = Signal()


def send_after_commit(signal: Signal, sender, **kwargs) -> None:
    """Send `signal` once the current transaction commits (at once outside one); never on rollback.
    Also the way scoring.signals are sent."""
    transaction.on_commit(lambda: _send(signal, sender, kwargs))


def _send(signal: Signal, sender, kwargs: dict) -> None:
    for receiver, result in signal.send_robust(sender=sender, **kwargs):
        if isinstance(result, Exception):
            logger.error("receiver %r of a domain signal failed", receiver, exc_info=result)


def request_score_after_commit(collection_id: int) -> None:
    """THE way to ask for a collection's score to be recomputed once this transaction commits."""
    send_after_commit(collection_score_stale, sender=None, collection_id=collection_id)


def request_period_rescore_after_commit(period_id: int) -> None:
    """Ask for every score of a period to be recomputed once this transaction commits."""
    send_after_commit(period_scores_stale, sender=None, period_id=period_id)
