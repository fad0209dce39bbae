"""What the scoring app tells the layers above (reports) after commit: stored scores changed.

scoring never imports the apps that react to it: the score tasks send these signals, and each higher
app connects its receivers in its AppConfig.ready (reports: re-render the period's reports). Sent once
the caller's transaction commits and robustly (assessments.signals.send_after_commit): a failing
receiver never undoes or breaks stored scores.
"""

from django.dispatch import Signal

from assessments.signals import send_after_commit

# Stored scores of a period were written, removed or recategorised.
# Arguments: period_id, collection_ids (the collections of the pass that changed something).
scores_stored = Signal()


def send_scores_stored(period_id: int, collection_ids: list[int]) -> None:
    """THE way to say that a period's stored scores changed, once this transaction commits."""
    send_after_commit(scores_stored, sender=None, period_id=period_id, collection_ids=list(collection_ids))
