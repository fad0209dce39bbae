"""assessments.services: creating questionnaires, saving answers with conflict checks, completing, submitting."""

import datetime

import pytest
from django.utils import timezone

from assessments import services, workflow
from assessments.autosave import writes
from assessments.models import Answer, Collection, Evidence, Questionnaire
from kotan.lib.service_errors import Conflict, NotAllowed, ServiceError
from tests.factories import group, make_collection, make_instrument, make_period, question

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection(regency_a):
    return make_collection(regency_a)


@pytest.fixture
def inst(collection):
    return collection.period.instrument


@pytest.fixture
def qn(collection, inst, bnnk_a):
    return services.questionnaire_create(collection=collection, group=group(inst, "keluarga"), user=bnnk_a)


def save(qn, inst, code, raw, base, user):
    return writes.questionnaire_save_answer(
        questionnaire=qn, question=question(inst, code), raw_value=raw, base_version=base, user=user
    )


def test_save_creates_then_updates_with_version(qn, inst, bnnk_a):
    a = save(qn, inst, "q_likert", "4", 0, bnnk_a)
    assert (a.value, a.version) == (4.0, 1)
    a = save(qn, inst, "q_likert", "5", 1, bnnk_a)
    assert (a.value, a.version) == (5.0, 2)
    assert Answer.objects.get(pk=a.pk).value == 5.0
    # history keeps old -> new with the author
    values = list(a.history.order_by("history_date").values_list("value", "history_user_id"))
    assert values == [(4.0, bnnk_a.pk), (5.0, bnnk_a.pk)]


def test_stale_save_is_refused_with_newer_value_and_author(qn, inst, bnnk_a, regency_a):
    from tests.conftest import make_user

    colleague = make_user("rekan", "bnnk", regency=regency_a, first_name="Siti", last_name="Rahma")
    save(qn, inst, "q_likert", "2", 0, bnnk_a)
    save(qn, inst, "q_likert", "3", 1, colleague)
    with pytest.raises(Conflict) as exc:
        save(qn, inst, "q_likert", "5", 1, bnnk_a)
    assert exc.value.current_value == 3.0
    assert exc.value.current_version == 2
    assert exc.value.changed_by == "Siti Rahma"
    assert "Siti Rahma" in exc.value.message
    assert Answer.objects.get(questionnaire=qn).value == 3.0


def test_retry_of_a_save_that_went_through_succeeds(qn, inst, bnnk_a):
    save(qn, inst, "q_likert", "4", 0, bnnk_a)
    again = save(qn, inst, "q_likert", "4", 0, bnnk_a)  # the response was lost; the browser retries
    assert again.version == 1


@pytest.mark.parametrize("raw", ["6", "0", "abc", "3.5", "1e400", "nan"])
def test_out_of_range_likert_is_refused_and_nothing_changes(qn, inst, bnnk_a, raw):
    save(qn, inst, "q_likert", "4", 0, bnnk_a)
    with pytest.raises(ServiceError):
        save(qn, inst, "q_likert", raw, 1, bnnk_a)
    assert Answer.objects.get(questionnaire=qn).value == 4.0


def test_yes_no_accepts_words(qn, inst, bnnk_a):
    assert save(qn, inst, "q_yesno", "Ya", 0, bnnk_a).value == 1.0
    assert save(qn, inst, "q_yesno", "tidak", 1, bnnk_a).value == 0.0


def test_question_not_asked_of_the_group_is_refused(qn, inst, bnnk_a):
    with pytest.raises(ServiceError) as exc:
        save(qn, inst, "q_number", "3", 0, bnnk_a)  # asked of instansi only
    assert exc.value.code == "wrong_group"


def test_question_of_another_instrument_is_refused(qn, bnnk_a):
    other = make_instrument()
    with pytest.raises(ServiceError) as exc:
        save(qn, other, "q_likert", "3", 0, bnnk_a)
    assert exc.value.code == "wrong_question"


def test_foreign_bnnk_and_bnnp_cannot_write(qn, inst, bnnk_b, bnnp_a):
    for user in (bnnk_b, bnnp_a):
        with pytest.raises(NotAllowed):
            save(qn, inst, "q_likert", "3", 0, user)
    assert not Answer.objects.exists()


def test_clearing_an_answer_deletes_it(qn, inst, bnnk_a):
    save(qn, inst, "q_choice", "2", 0, bnnk_a)
    assert save(qn, inst, "q_choice", "", 1, bnnk_a) is None
    assert not Answer.objects.filter(questionnaire=qn).exists()


def test_complete_requires_every_required_answer(qn, inst, bnnk_a):
    save(qn, inst, "q_likert", "4", 0, bnnk_a)
    with pytest.raises(ServiceError) as exc:
        services.questionnaire_complete(questionnaire=qn, user=bnnk_a)
    assert exc.value.code == "incomplete"
    assert any("q_yesno" in d for d in exc.value.details)
    save(qn, inst, "q_yesno", "1", 0, bnnk_a)  # q_choice is optional
    services.questionnaire_complete(questionnaire=qn, user=bnnk_a)
    assert qn.state == Questionnaire.State.COMPLETE and qn.completed_at


def test_clearing_a_required_answer_reopens_a_complete_questionnaire(qn, inst, bnnk_a):
    save(qn, inst, "q_likert", "4", 0, bnnk_a)
    save(qn, inst, "q_yesno", "1", 0, bnnk_a)
    services.questionnaire_complete(questionnaire=qn, user=bnnk_a)
    save(qn, inst, "q_yesno", "", 1, bnnk_a)
    qn.refresh_from_db()
    assert qn.state == Questionnaire.State.DRAFT


def _complete(collection, inst, user, group_code, answers):
    q = services.questionnaire_create(collection=collection, group=group(inst, group_code), user=user)
    for code, raw in answers.items():
        save(q, inst, code, raw, 0, user)
    services.questionnaire_complete(questionnaire=q, user=user)
    return q


def test_submit_lists_what_is_missing_then_succeeds_once(collection, inst, bnnk_a):
    with pytest.raises(ServiceError) as exc:
        workflow.collection_submit(collection=collection, user=bnnk_a)
    assert any("Keluarga: 0 dari 2" in d for d in exc.value.details)
    assert any("SK Tim Terpadu" in d for d in exc.value.details)
    for _ in range(2):
        _complete(collection, inst, bnnk_a, "keluarga", {"q_likert": "4", "q_yesno": "1"})
    _complete(collection, inst, bnnk_a, "instansi", {"q_likert": "3", "q_number": "7", "q_likert2": "5"})
    Evidence.objects.create(
        collection=collection,
        evidence_type=inst.evidence_types.get(code="sk"),
        title="SK",
        file="x",
        original_name="sk.pdf",
        content_type="application/pdf",
        size=10,
    )
    submitted = workflow.collection_submit(collection=collection, user=bnnk_a)
    assert submitted.state == Collection.State.SUBMITTED
    # double click: refused with a message, nothing changes
    with pytest.raises(ServiceError) as exc:
        workflow.collection_submit(collection=collection, user=bnnk_a)
    assert exc.value.code == "already_submitted"
    # after submit the BNNK can no longer write
    q = Questionnaire.objects.filter(collection=collection).first()
    with pytest.raises(NotAllowed):
        save(q, inst, "q_likert", "1", 1, bnnk_a)


def test_nothing_changes_after_the_deadline(regency_a, bnnk_a):
    collection = make_collection(regency_a, opens_days_ago=30, deadline_in_days=-1)
    inst = collection.period.instrument
    with pytest.raises(NotAllowed) as exc:
        services.questionnaire_create(collection=collection, group=group(inst, "keluarga"), user=bnnk_a)
    assert "telah lewat" in exc.value.message


def test_extension_reopens_entry_for_one_regency(regency_a, bnnk_a):
    collection = make_collection(regency_a, opens_days_ago=30, deadline_in_days=-1)
    collection.deadline_extended_to = timezone.localdate() + datetime.timedelta(days=3)
    collection.save()
    inst = collection.period.instrument
    services.questionnaire_create(collection=collection, group=group(inst, "keluarga"), user=bnnk_a)


def test_participants_get_their_collections_and_ensuring_them_is_idempotent(regency_a, regency_b):
    period = make_period(regencies=[regency_a])
    assert list(period.collections.values_list("regency", flat=True)) == [regency_a.pk]
    regency_b.periods.add(period)  # from the other side of the relation too
    assert period.collections.count() == 2
    period.collections.filter(regency=regency_b).delete()
    assert services.period_ensure_collections(period=period) == 1
    assert services.period_ensure_collections(period=period) == 0
    assert period.collections.count() == 2
