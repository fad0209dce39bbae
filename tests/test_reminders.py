"""Beat reminders: deadline reminders 7 and 1 day before (extensions respected), review reminders after
7 days waiting, each sent once however often the tasks run."""

import datetime

import pytest
from django.core import mail
from django.db.models import F
from django.utils import timezone

from assessments.models import Collection, Period
from notifications import reminders, tasks
from notifications.models import Notification
from tests.factories import make_collection

pytestmark = pytest.mark.django_db


def today():
    return reminders.today_in_jakarta()


def sent_to(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.mark.parametrize("days", [7, 1])
def test_deadline_reminder_7_and_1_day_before(days, regency_a, bnnk_a, bnnk_b, bnnk_other, bnnp_a):
    make_collection(regency_a, deadline_in_days=days)
    assert reminders.send_deadline_reminders() == 1
    assert sent_to("deadline") == ["bnnk_a"]
    assert [m.to for m in mail.outbox] == [[bnnk_a.email]]
    assert f"tinggal {days} hari" in mail.outbox[0].subject


@pytest.mark.parametrize("days", [3, 0, 8, -1])
def test_no_deadline_reminder_on_other_days(days, regency_a, bnnk_a):
    make_collection(regency_a, deadline_in_days=days, opens_days_ago=20)
    assert reminders.send_deadline_reminders() == 0
    assert mail.outbox == []


def test_running_twice_sends_once(regency_a, bnnk_a):
    make_collection(regency_a, deadline_in_days=7)
    assert tasks.send_deadline_reminders.delay().get() == 1
    assert tasks.send_deadline_reminders.delay().get() == 0
    assert reminders.send_deadline_reminders() == 0
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_one_day_reminder_follows_the_seven_day_one(regency_a, bnnk_a):
    collection = make_collection(regency_a, deadline_in_days=7)
    reminders.send_deadline_reminders(today=today())
    reminders.send_deadline_reminders(today=today() + datetime.timedelta(days=6))
    reminders.send_deadline_reminders(today=today() + datetime.timedelta(days=6))
    titles = sorted(Notification.objects.values_list("title", flat=True))
    assert titles == ["Batas pengumpulan IKOTAN tinggal 1 hari", "Batas pengumpulan IKOTAN tinggal 7 hari"]
    assert collection.deadline == today() + datetime.timedelta(days=7)


@pytest.mark.parametrize(
    "state", [Collection.State.SUBMITTED, Collection.State.VERIFIED, Collection.State.FINAL]
)
def test_a_collection_already_sent_gets_no_deadline_reminder(state, regency_a, bnnk_a):
    collection = make_collection(regency_a, deadline_in_days=1)
    Collection.objects.filter(pk=collection.pk).update(state=state)
    assert reminders.send_deadline_reminders() == 0


def test_a_returned_collection_is_reminded(regency_a, bnnk_a):
    # A returned collection is due at the later of its deadline and the verification deadline.
    collection = make_collection(regency_a, deadline_in_days=1)
    Period.objects.filter(pk=collection.period_id).update(verification_deadline=F("collection_deadline"))
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.RETURNED)
    assert reminders.send_deadline_reminders() == 1


def test_an_extension_moves_the_reminder_date(regency_a, regency_b, bnnk_a, bnnk_b):
    # Kota Malang: period deadline in 3 days, extended to 7 days from now -> reminded today.
    moved_in = make_collection(regency_a, deadline_in_days=3)
    Collection.objects.filter(pk=moved_in.pk).update(
        deadline_extended_to=today() + datetime.timedelta(days=7)
    )
    # Kab. Malang: period deadline in 7 days but extended by two weeks -> not today.
    moved_out = make_collection(regency_b, deadline_in_days=7)
    Collection.objects.filter(pk=moved_out.pk).update(
        deadline_extended_to=today() + datetime.timedelta(days=21)
    )
    assert reminders.send_deadline_reminders() == 1
    assert sent_to("deadline") == ["bnnk_a"]
    # 14 days on, Kab. Malang's extended deadline is 7 days away, though the period's own deadline passed.
    assert reminders.send_deadline_reminders(today=today() + datetime.timedelta(days=14)) == 1
    assert sent_to("deadline") == ["bnnk_a", "bnnk_b"]


def test_a_new_extension_earns_fresh_reminders(regency_a, bnnk_a):
    collection = make_collection(regency_a, deadline_in_days=1)
    assert reminders.send_deadline_reminders() == 1
    Collection.objects.filter(pk=collection.pk).update(
        deadline_extended_to=today() + datetime.timedelta(days=7)
    )
    assert reminders.send_deadline_reminders() == 1
    assert reminders.send_deadline_reminders() == 0


def test_no_reminder_before_the_period_opens(regency_a, bnnk_a):
    make_collection(regency_a, opens_days_ago=-3, deadline_in_days=7)
    assert reminders.send_deadline_reminders() == 0


def test_dates_are_compared_in_jakarta():
    evening_utc = datetime.datetime(2026, 1, 1, 18, 0, tzinfo=datetime.UTC)  # 01:00 on 2 January in Jakarta
    assert reminders.today_in_jakarta(evening_utc) == datetime.date(2026, 1, 2)


# --- review reminders ------------------------------------------------------------------------------


def _submitted(regency, days_ago):
    collection = make_collection(regency)
    Collection.objects.filter(pk=collection.pk).update(
        state=Collection.State.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    collection.refresh_from_db()
    return collection


def test_review_reminder_after_8_days_waiting(regency_a, bnnp_a, bnnp_other, bnnk_a, pusat):
    _submitted(regency_a, days_ago=8)
    assert tasks.send_review_reminders.delay().get() == 1
    assert sent_to("review") == ["bnnp_a"]
    assert [m.to for m in mail.outbox] == [[bnnp_a.email]]
    assert "8 hari menunggu verifikasi" in mail.outbox[0].subject


def test_no_review_reminder_after_3_days(regency_a, bnnp_a):
    _submitted(regency_a, days_ago=3)
    assert reminders.send_review_reminders() == 0


def test_review_reminder_once_per_round(regency_a, bnnp_a):
    collection = _submitted(regency_a, days_ago=8)
    assert reminders.send_review_reminders() == 1
    assert reminders.send_review_reminders() == 0
    # Returned and sent again, then left waiting another week: a new round, a new reminder.
    Collection.objects.filter(pk=collection.pk).update(
        review_round=collection.review_round + 1, submitted_at=timezone.now() - datetime.timedelta(days=9)
    )
    assert reminders.send_review_reminders() == 1
    assert Notification.objects.filter(kind="review").count() == 2


def test_verified_collections_need_no_review_reminder(regency_a, bnnp_a):
    collection = _submitted(regency_a, days_ago=10)
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.VERIFIED)
    assert reminders.send_review_reminders() == 0
