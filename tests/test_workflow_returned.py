"""A returned collection: editable for what was returned until the later of its collection deadline and
the verification deadline, and a questionnaire reached by an indicator comment can be completed again."""

import datetime

import pytest
from django.utils import timezone

from assessments import services, workflow
from assessments.autosave import writes
from assessments.links import services as links
from assessments.models import Collection, Period, Questionnaire
from kotan.lib.service_errors import NotAllowed
from tests.factories import group, make_collection, question
from tests.test_workflow import _fill

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def submitted(regency_a, bnnk_a):
    collection = make_collection(regency_a)
    collection.qs = _fill(collection, bnnk_a)
    workflow.collection_submit(collection=collection, user=bnnk_a)
    collection.refresh_from_db()
    return collection


def _return(collection, bnnp, comments):
    workflow.collection_return(collection=collection, user=bnnp, comments=comments)
    collection.refresh_from_db()
    return collection


def _set_dates(collection, *, collection_deadline, verification_deadline, extended_to=None):
    Period.objects.filter(pk=collection.period_id).update(
        collection_opens=days(-30),
        collection_deadline=collection_deadline,
        verification_deadline=verification_deadline,
    )
    Collection.objects.filter(pk=collection.pk).update(deadline_extended_to=extended_to)
    collection.refresh_from_db()
    collection.period.refresh_from_db()


def _save(collection, q, code, raw, user):
    a = q.answers.filter(question__code=code).first()
    return writes.questionnaire_save_answer(
        questionnaire=q,
        question=question(collection.period.instrument, code),
        raw_value=raw,
        base_version=a.version if a else 0,
        user=user,
    )


# --- the correction window -------------------------------------------------------------------------------


def test_returned_collection_stays_open_until_the_verification_deadline(submitted, bnnp_a, bnnk_a):
    q1 = submitted.qs[0]
    _return(submitted, bnnp_a, [{"target": "questionnaire", "questionnaire": q1, "text": "Cek KK1."}])
    _set_dates(submitted, collection_deadline=days(-3), verification_deadline=days(4))

    assert workflow.entry_deadline(submitted) == days(4)
    assert workflow.entry_closed_reason(submitted) is None
    _save(submitted, q1, "q_likert", "5", bnnk_a)
    workflow.collection_submit(collection=submitted, user=bnnk_a)
    submitted.refresh_from_db()
    assert submitted.state == Collection.State.SUBMITTED


def test_returned_collection_closes_after_the_verification_deadline(submitted, bnnp_a, bnnk_a):
    q1 = submitted.qs[0]
    _return(submitted, bnnp_a, [{"target": "questionnaire", "questionnaire": q1, "text": "Cek KK1."}])
    _set_dates(submitted, collection_deadline=days(-10), verification_deadline=days(-1))

    reason = workflow.entry_closed_reason(submitted)
    assert reason and "Batas perbaikan" in reason
    with pytest.raises(NotAllowed) as exc:
        _save(submitted, q1, "q_likert", "5", bnnk_a)
    assert exc.value.code == "closed"
    with pytest.raises(NotAllowed):
        workflow.collection_submit(collection=submitted, user=bnnk_a)
    assert q1.answers.get(question__code="q_likert").value == 4


def test_an_extension_beyond_the_verification_deadline_still_counts(submitted, bnnp_a):
    _return(submitted, bnnp_a, [{"target": "general", "text": "Lengkapi."}])
    _set_dates(submitted, collection_deadline=days(-5), verification_deadline=days(-1), extended_to=days(2))
    assert workflow.entry_deadline(submitted) == days(2)
    assert workflow.entry_closed_reason(submitted) is None
    assert workflow.entry_closed_reason(submitted, today=days(3))


def test_a_draft_still_closes_at_the_collection_deadline(regency_a, bnnk_a):
    collection = make_collection(regency_a)
    _set_dates(collection, collection_deadline=days(-1), verification_deadline=days(10))
    assert workflow.entry_deadline(collection) == days(-1)
    reason = workflow.entry_closed_reason(collection)
    assert reason and "Batas pengumpulan data" in reason
    with pytest.raises(NotAllowed):
        services.questionnaire_create(
            collection=collection, group=group(collection.period.instrument, "keluarga"), user=bnnk_a
        )


def test_returned_window_is_checked_by_date(submitted, bnnp_a):
    _return(submitted, bnnp_a, [{"target": "general", "text": "Lengkapi."}])
    _set_dates(submitted, collection_deadline=days(-3), verification_deadline=days(4))
    assert workflow.entry_closed_reason(submitted, today=days(4)) is None
    assert workflow.entry_closed_reason(submitted, today=days(5))


def test_home_page_shows_the_correction_deadline(client_for, submitted, bnnp_a, bnnk_a):
    _return(submitted, bnnp_a, [{"target": "general", "text": "Lengkapi."}])
    _set_dates(submitted, collection_deadline=days(-3), verification_deadline=days(4))
    response = client_for(bnnk_a).get(f"/survei/periode/{submitted.period.year}/{submitted.regency.code}/")
    assert response.context["deadline"] == days(4)
    assert response.context["days_left"] == 4
    assert response.context["can_enter"]
    assert "Batas perbaikan" in response.content.decode()


def test_link_created_in_a_returned_collection_lasts_the_correction_window(submitted, bnnp_a, bnnk_a):
    _return(submitted, bnnp_a, [{"target": "general", "text": "Tambah responden."}])
    _set_dates(submitted, collection_deadline=days(-3), verification_deadline=days(4))
    link = links.link_create(
        collection=submitted, group=group(submitted.period.instrument, "keluarga"), user=bnnk_a
    )
    assert timezone.localtime(link.expires_at, links.JAKARTA).date() == days(4)
    assert links.link_refusal(link) is None


# --- completing again after an indicator comment ----------------------------------------------------------


def _indicator_return(submitted, bnnp_a):
    kl1 = question(submitted.period.instrument, "q_number").indicator  # q_number, q_likert2 (instansi)
    return _return(
        submitted, bnnp_a, [{"target": "indicator", "indicator": kl1, "text": "Jumlah tim tidak wajar."}]
    )


def test_indicator_correction_can_be_completed_again_and_resubmitted(submitted, bnnp_a, bnnk_a):
    instansi = submitted.qs[2]
    _indicator_return(submitted, bnnp_a)
    # Clearing a required answer of the returned indicator turns the questionnaire back to draft ...
    _save(submitted, instansi, "q_number", "", bnnk_a)
    instansi.refresh_from_db()
    assert instansi.state == Questionnaire.State.DRAFT
    # ... the corrected value is saved and the questionnaire is complete again, so the quota holds.
    _save(submitted, instansi, "q_number", "2", bnnk_a)
    assert workflow.questionnaire_in_return_scope(instansi)
    services.questionnaire_complete(questionnaire=instansi, user=bnnk_a)
    instansi.refresh_from_db()
    assert instansi.state == Questionnaire.State.COMPLETE
    # Answers outside the returned indicator stay locked.
    with pytest.raises(NotAllowed) as exc:
        _save(submitted, instansi, "q_likert", "1", bnnk_a)
    assert exc.value.code == "locked_by_review"
    workflow.collection_submit(collection=submitted, user=bnnk_a)
    submitted.refresh_from_db()
    assert submitted.state == Collection.State.SUBMITTED


def test_questionnaire_the_indicator_does_not_reach_cannot_be_completed(submitted, bnnp_a, bnnk_a):
    keluarga = submitted.qs[0]  # keluarga is asked no KL1 question
    _indicator_return(submitted, bnnp_a)
    Questionnaire.objects.filter(pk=keluarga.pk).update(state=Questionnaire.State.DRAFT, completed_at=None)
    keluarga.refresh_from_db()
    assert not workflow.questionnaire_in_return_scope(keluarga)
    with pytest.raises(NotAllowed) as exc:
        services.questionnaire_complete(questionnaire=keluarga, user=bnnk_a)
    assert exc.value.code == "locked_by_review"
    keluarga.refresh_from_db()
    assert keluarga.state == Questionnaire.State.DRAFT


def test_fill_page_offers_complete_after_an_indicator_correction(client_for, submitted, bnnp_a, bnnk_a):
    instansi, keluarga = submitted.qs[2], submitted.qs[0]
    _indicator_return(submitted, bnnp_a)
    _save(submitted, instansi, "q_number", "", bnnk_a)
    _save(submitted, instansi, "q_number", "3", bnnk_a)
    client = client_for(bnnk_a)
    response = client.get(f"/survei/kuesioner/{instansi.pk}/")
    assert response.context["can_complete"]
    assert "Tandai lengkap" in response.content.decode()
    done = client.post(f"/survei/kuesioner/{instansi.pk}/lengkap/")
    assert done.status_code == 302
    instansi.refresh_from_db()
    assert instansi.state == Questionnaire.State.COMPLETE
    assert not client.get(f"/survei/kuesioner/{keluarga.pk}/").context["can_complete"]


# --- reminders follow the correction window ---------------------------------------------------------------


def test_deadline_reminder_of_a_returned_collection_names_the_correction_deadline(submitted, bnnp_a):
    from django.core import mail

    from notifications import reminders
    from notifications.models import Notification

    _return(submitted, bnnp_a, [{"target": "general", "text": "Lengkapi."}])
    _set_dates(submitted, collection_deadline=days(-3), verification_deadline=days(7))
    today = reminders.today_in_jakarta()
    mail.outbox.clear()
    assert reminders.send_deadline_reminders(today=today) == 1
    note = Notification.objects.get(kind=Notification.Kind.DEADLINE_REMINDER)
    assert note.title == "Batas perbaikan IKOTAN tinggal 7 hari"
    assert "kirim ulang" in note.body
    assert reminders.send_deadline_reminders(today=today) == 0
    # No reminder on the old collection deadline for a returned collection.
    _set_dates(submitted, collection_deadline=days(1), verification_deadline=days(20))
    assert reminders.send_deadline_reminders(today=today) == 0


@pytest.mark.parametrize(
    ("state", "extended", "verification", "expected"),
    [
        (Collection.State.DRAFT, None, 20, 5),  # the collection deadline
        (Collection.State.DRAFT, 8, 20, 8),  # extended
        (Collection.State.RETURNED, None, 20, 20),  # the later verification deadline
        (Collection.State.RETURNED, 25, 20, 25),  # an extension beyond it
    ],
)
def test_the_entry_deadline_reads_the_same_in_python_and_in_the_database(
    regency_a, state, extended, verification, expected
):
    collection = make_collection(regency_a)
    _set_dates(
        collection,
        collection_deadline=days(5),
        verification_deadline=days(verification),
        extended_to=days(extended) if extended else None,
    )
    Collection.objects.filter(pk=collection.pk).update(state=state)
    row = Collection.objects.annotate(due=workflow.entry_deadline_expression()).get(pk=collection.pk)
    assert row.due == workflow.entry_deadline(row) == days(expected)
