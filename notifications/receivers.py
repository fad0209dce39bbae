"""How notifications react to the survey's signals (assessments.signals), connected in apps.py."""

from __future__ import annotations

from assessments import signals

from . import services


def on_collection_submitted(sender, *, collection, **kwargs) -> None:
    services.notify_collection_submitted(collection)


def on_collection_returned(sender, *, collection, comment_summary: str = "", **kwargs) -> None:
    services.notify_collection_returned(collection, comment_summary)


def on_collection_verified(sender, *, collection, **kwargs) -> None:
    """The BNNK hears of it; BNN pusat too once the whole province is verified."""
    services.notify_collection_verified(collection)
    province = collection.regency.province
    if services.province_fully_verified(collection.period, province):
        services.notify_province_verified(collection.period, province)


def connect() -> None:
    """Listen to the survey's transitions (each signal is sent after commit)."""
    signals.collection_submitted.connect(on_collection_submitted, dispatch_uid="notifications.submitted")
    signals.collection_returned.connect(on_collection_returned, dispatch_uid="notifications.returned")
    signals.collection_verified.connect(on_collection_verified, dispatch_uid="notifications.verified")
