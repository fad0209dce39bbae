"""The survey's signals (assessments.signals): sent once after commit, never on rollback; notifications and
score requests arrive through the receivers the higher apps connect; one helper asks for a rescore."""

import importlib
import re
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.db import transaction

from assessments import selectors, signals, workflow
from assessments.models import Collection
from notifications.models import Notification
from tests.factories import make_collection, make_period

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def collection(regency_a, monkeypatch):
    monkeypatch.setattr(selectors, "collection_missing", lambda c: [])
    return make_collection(regency_a)


@pytest.fixture
def heard():
    """What each survey signal delivered, in order."""
    seen = []

    def listen(signal, name):
        def receiver(sender, **kwargs):
            seen.append((name, kwargs.get("collection", kwargs.get("collection_id"))))

        signal.connect(receiver, weak=False, dispatch_uid=f"test.{name}")
        return receiver

    pairs = [
        (signals.collection_submitted, "submitted"),
        (signals.collection_returned, "returned"),
        (signals.collection_verified, "verified"),
        (signals.collection_score_stale, "stale"),
    ]
    for signal, name in pairs:
        listen(signal, name)
    yield seen
    for signal, name in pairs:
        signal.disconnect(dispatch_uid=f"test.{name}")


def _names(seen):
    return [name for name, _ in seen]


def test_submit_signals_once_and_only_after_commit(
    collection, bnnk_a, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.collection_submit(collection=collection, user=bnnk_a)
    assert heard == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert _names(heard) == ["stale", "submitted"]
    assert heard[1][1].pk == collection.pk and heard[1][1].state == Collection.State.SUBMITTED


def test_a_rolled_back_transition_signals_nothing(
    collection, bnnk_a, heard, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.collection_submit(collection=collection, user=bnnk_a)
        raise RuntimeError("the caller fails after the submit")
    assert heard == []
    collection.refresh_from_db()
    assert collection.state == Collection.State.DRAFT


def test_a_refused_transition_signals_nothing(collection, bnnp_a, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(workflow.NotAllowed):
        workflow.collection_verify(collection=collection, user=bnnp_a)  # a draft cannot be verified
    assert heard == []


def test_return_and_verify_reach_the_bnnk_and_pusat_through_the_receivers(
    regency_a, bnnk_a, bnnp_a, pusat, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(selectors, "collection_missing", lambda c: [])
    collection = make_collection(regency_a, make_period(regencies=[regency_a]))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.collection_submit(collection=collection, user=bnnk_a)
        workflow.collection_return(
            collection=collection, user=bnnp_a, comments=[{"target": "general", "text": "SK kedaluwarsa."}]
        )
    returned = Notification.objects.get(kind=Notification.Kind.RETURNED)
    assert returned.recipient == bnnk_a and "SK kedaluwarsa." in returned.body
    with django_capture_on_commit_callbacks(execute=True):
        workflow.collection_submit(collection=collection, user=bnnk_a)
        workflow.collection_verify(collection=collection, user=bnnp_a)
    kinds = list(Notification.objects.order_by("pk").values_list("recipient__username", "kind"))
    assert kinds == [
        ("bnnp_a", "submitted"),
        ("bnnk_a", "returned"),
        ("bnnp_a", "submitted"),
        ("bnnk_a", "verified"),
        ("pusat", "province"),  # Kota Malang is the province's only participant
    ]


def test_a_failing_receiver_neither_breaks_the_transition_nor_silences_the_others(
    collection, bnnk_a, bnnp_a, django_capture_on_commit_callbacks
):
    def broken(sender, **kwargs):
        raise ConnectionError("a receiver is down")

    signals.collection_submitted.connect(broken, weak=False, dispatch_uid="test.broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            submitted = workflow.collection_submit(collection=collection, user=bnnk_a)
    finally:
        signals.collection_submitted.disconnect(dispatch_uid="test.broken")
    assert submitted.state == Collection.State.SUBMITTED
    assert Notification.objects.filter(recipient=bnnp_a, kind="submitted").count() == 1


def test_a_score_request_reaches_the_scheduler_once_after_commit(
    collection, django_capture_on_commit_callbacks
):
    with mock.patch("scoring.scheduling.request_collection_score") as score:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            signals.request_score_after_commit(collection.pk)
        score.assert_not_called()
        for callback in callbacks:
            callback()
    score.assert_called_once_with(collection.pk)


def test_a_period_rescore_reaches_the_scheduler_after_commit(collection, django_capture_on_commit_callbacks):
    with (
        mock.patch("scoring.scheduling.request_period_recompute") as recompute,
        django_capture_on_commit_callbacks(execute=True),
    ):
        signals.request_period_rescore_after_commit(collection.period_id)
    recompute.assert_called_once_with(collection.period_id)


def _app_sources():
    for app in ("assessments", "reports", "notifications", "accounts", "regions", "kotan"):
        yield from (ROOT / app).rglob("*.py")


def test_recompute_after_commit_is_written_once():
    """Every "recompute after commit" goes through signals.request_score_after_commit."""
    scheduled_inline = re.compile(r"on_commit\(\s*lambda[^)]*:\s*request_(collection_score|period_recompute)")
    offenders = [str(p.relative_to(ROOT)) for p in _app_sources() if scheduled_inline.search(p.read_text())]
    assert offenders == []
    users = {
        p.relative_to(ROOT).as_posix()
        for p in _app_sources()
        if "request_score_after_commit(" in p.read_text()
    }
    assert {"assessments/workflow.py", "assessments/services.py", "assessments/bulk/workbook.py"} <= users


def test_the_survey_app_imports_no_reaction_of_the_apps_above():
    """assessments tells notifications and reports through signals: no import of their reactions."""
    upward = re.compile(r"^\s*(from|import) (notifications|reports\.scheduling)\b", re.MULTILINE)
    offenders = [
        str(p.relative_to(ROOT)) for p in (ROOT / "assessments").rglob("*.py") if upward.search(p.read_text())
    ]
    assert offenders == []


def test_the_data_migration_gives_existing_participants_their_collections(regency_a, regency_b):
    """Periods made before collections came with the participants: the migration makes the missing ones."""
    migration = importlib.import_module("assessments.migrations.0004_collections_for_participants")
    period = make_period(regencies=[regency_a, regency_b])
    kept = period.collections.get(regency=regency_a)
    period.collections.filter(regency=regency_b).delete()  # as a page would have left it before
    migration.create_missing(django_apps, None)
    assert set(period.collections.values_list("regency_id", flat=True)) == {regency_a.pk, regency_b.pk}
    assert period.collections.get(regency=regency_a).pk == kept.pk
    migration.create_missing(django_apps, None)
    assert period.collections.count() == 2
