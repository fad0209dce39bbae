"""Collection workflow: every transition for each role, scope and state, and what a return unlocks."""

import datetime

import pytest
from django.utils import timezone

from assessments import services, workflow
from assessments.autosave import writes
from assessments.models import Collection, Questionnaire, ReviewComment, ReviewEvent
from kotan.lib.service_errors import NotAllowed, ServiceError
from tests.factories import attach_sk, complete_questionnaire, group, make_collection, question

pytestmark = pytest.mark.django_db


def _fill(collection, user):
    made = [
        complete_questionnaire(collection, user, "keluarga", {"q_likert": "4", "q_yesno": "1"}),
        complete_questionnaire(collection, user, "keluarga", {"q_likert": "2", "q_yesno": "0"}),
        complete_questionnaire(
            collection, user, "instansi", {"q_likert": "3", "q_number": "7", "q_likert2": "5"}
        ),
    ]
    attach_sk(collection)
    return made


@pytest.fixture
def submitted(regency_a, bnnk_a):
    collection = make_collection(regency_a)
    qs = _fill(collection, bnnk_a)
    workflow.collection_submit(collection=collection, user=bnnk_a)
    collection.refresh_from_db()
    collection.qs = qs
    return collection


ROLES = ["bnnk_a", "bnnk_b", "bnnp_a", "bnnp_other", "pusat"]


def _try(func):
    try:
        func()
    except NotAllowed:
        return False
    return True


@pytest.mark.parametrize("role", ROLES)
def test_only_the_provinces_bnnp_verifies(request, submitted, role):
    user = request.getfixturevalue(role)
    allowed = _try(lambda: workflow.collection_verify(collection=submitted, user=user))
    assert allowed == (role == "bnnp_a")
    submitted.refresh_from_db()
    assert submitted.state == ("verified" if role == "bnnp_a" else "submitted")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_provinces_bnnp_returns(request, submitted, role):
    user = request.getfixturevalue(role)
    comments = [{"target": "general", "text": "Lengkapi data."}]
    allowed = _try(lambda: workflow.collection_return(collection=submitted, user=user, comments=comments))
    assert allowed == (role == "bnnp_a")


@pytest.mark.parametrize("role", ROLES)
def test_only_pusat_finalizes_and_reopens(request, submitted, bnnp_a, role):
    workflow.collection_verify(collection=submitted, user=bnnp_a)
    user = request.getfixturevalue(role)
    assert _try(lambda: workflow.collection_finalize(collection=submitted, user=user)) == (role == "pusat")
    if role == "pusat":
        assert _try(
            lambda: workflow.collection_reopen(collection=submitted, user=user, reason="Salah hitung")
        )
        submitted.refresh_from_db()
        assert submitted.state == "submitted"


@pytest.mark.parametrize(
    ("state", "verify_ok", "return_ok", "finalize_ok"),
    [
        ("draft", False, False, False),
        ("returned", False, False, False),
        ("verified", False, False, True),
        ("final", False, False, False),
    ],
)
def test_transitions_respect_state(submitted, bnnp_a, pusat, state, verify_ok, return_ok, finalize_ok):
    Collection.objects.filter(pk=submitted.pk).update(state=state)
    submitted.refresh_from_db()
    assert _try(lambda: workflow.collection_verify(collection=submitted, user=bnnp_a)) == verify_ok
    comments = [{"target": "general", "text": "x"}]
    assert (
        _try(lambda: workflow.collection_return(collection=submitted, user=bnnp_a, comments=comments))
        == return_ok
    )
    assert _try(lambda: workflow.collection_finalize(collection=submitted, user=pusat)) == finalize_ok


def test_reopen_needs_a_reason(submitted, bnnp_a, pusat):
    workflow.collection_verify(collection=submitted, user=bnnp_a)
    with pytest.raises(NotAllowed) as exc:
        workflow.collection_reopen(collection=submitted, user=pusat, reason="  ")
    assert exc.value.code == "no_reason"


def test_return_needs_a_comment(submitted, bnnp_a):
    with pytest.raises(NotAllowed) as exc:
        workflow.collection_return(collection=submitted, user=bnnp_a, comments=[{"text": " "}])
    assert exc.value.code == "no_comment"
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_return_unlocks_only_what_the_comments_name(submitted, bnnk_a, bnnp_a):
    inst = submitted.period.instrument
    q1, q2, q3 = submitted.qs
    workflow.collection_return(
        collection=submitted,
        user=bnnp_a,
        comments=[
            {"target": "questionnaire", "questionnaire": q1, "text": "Jawaban KK1 meragukan."},
            {"target": "indicator", "indicator": question(inst, "q_likert2").indicator, "text": "Cek KL1."},
        ],
    )
    submitted.refresh_from_db()
    assert submitted.state == "returned" and submitted.review_round == 2

    def save(q, code, raw):
        a = q.answers.filter(question__code=code).first()
        return writes.questionnaire_save_answer(
            questionnaire=q,
            question=question(inst, code),
            raw_value=raw,
            base_version=a.version if a else 0,
            user=bnnk_a,
        )

    save(q1, "q_likert", "5")  # commented questionnaire: editable
    save(q3, "q_likert2", "4")  # question of a commented indicator: editable
    with pytest.raises(NotAllowed) as exc:
        save(q2, "q_likert", "1")  # neither: locked
    assert exc.value.code == "locked_by_review"
    with pytest.raises(NotAllowed):
        services.questionnaire_create(collection=submitted, group=group(inst, "keluarga"), user=bnnk_a)
    # resubmit works and logs the event
    workflow.collection_submit(collection=submitted, user=bnnk_a)
    assert list(submitted.review_events.values_list("action", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
    ]


def test_comment_on_another_collections_questionnaire_is_refused(submitted, bnnp_a, regency_b):
    from tests.conftest import make_user

    other = make_collection(regency_b, period=submitted.period)
    bnnk_b = make_user("bnnk_bb", "bnnk", regency=regency_b)
    foreign_q = services.questionnaire_create(
        collection=other, group=group(submitted.period.instrument, "keluarga"), user=bnnk_b
    )
    with pytest.raises(NotAllowed) as exc:
        workflow.collection_return(
            collection=submitted,
            user=bnnp_a,
            comments=[{"target": "questionnaire", "questionnaire": foreign_q, "text": "x"}],
        )
    assert exc.value.code == "foreign_target"
    assert not ReviewComment.objects.exists()


def test_exclude_requires_reason_and_reviewer(submitted, bnnp_a, bnnp_other, bnnk_a):
    q = submitted.qs[0]
    for user in (bnnp_other, bnnk_a):
        with pytest.raises(NotAllowed):
            workflow.questionnaire_exclude(questionnaire=q, user=user, reason="duplikat")
    with pytest.raises(NotAllowed):
        workflow.questionnaire_exclude(questionnaire=q, user=bnnp_a, reason="")
    workflow.questionnaire_exclude(questionnaire=q, user=bnnp_a, reason="Jawaban seragam semua.")
    q.refresh_from_db()
    assert q.state == Questionnaire.State.EXCLUDED and q.excluded_reason == "Jawaban seragam semua."
    workflow.questionnaire_include(questionnaire=q, user=bnnp_a)
    q.refresh_from_db()
    assert q.state == Questionnaire.State.COMPLETE
    actions = list(ReviewEvent.objects.filter(questionnaire=q).values_list("action", flat=True))
    assert actions == ["excluded", "included"]


def test_comment_thread_replies(submitted, bnnp_a, bnnk_a, bnnk_b):
    workflow.collection_return(
        collection=submitted, user=bnnp_a, comments=[{"target": "general", "text": "Cek."}]
    )
    root = ReviewComment.objects.get()
    reply = workflow.comment_reply(comment=root, user=bnnk_a, text="Sudah diperbaiki.")
    assert reply.parent == root and reply.round == root.round
    with pytest.raises(NotAllowed):
        workflow.comment_reply(comment=root, user=bnnk_b, text="bukan urusan saya")


def test_extension_by_pusat_only_with_reason(regency_a, bnnk_a, pusat, bnnp_a):
    collection = make_collection(regency_a, opens_days_ago=30, deadline_in_days=-2)
    until = timezone.localdate() + datetime.timedelta(days=5)
    with pytest.raises(NotAllowed):
        workflow.deadline_extend(collection=collection, user=bnnp_a, until=until, reason="Jalan rusak")
    with pytest.raises(NotAllowed):
        workflow.deadline_extend(collection=collection, user=pusat, until=until, reason="")
    with pytest.raises(NotAllowed):
        workflow.deadline_extend(
            collection=collection, user=pusat, until=collection.period.collection_deadline, reason="x"
        )
    workflow.deadline_extend(collection=collection, user=pusat, until=until, reason="Jalan rusak")
    collection.refresh_from_db()
    assert collection.deadline == until
    assert workflow.entry_closed_reason(collection) is None
    assert ReviewEvent.objects.get(collection=collection).action == "extended"


def test_after_final_nothing_changes(submitted, bnnp_a, pusat, bnnk_a):
    workflow.collection_verify(collection=submitted, user=bnnp_a)
    workflow.collection_finalize(collection=submitted, user=pusat)
    q = submitted.qs[0]
    with pytest.raises(NotAllowed):
        writes.questionnaire_save_answer(
            questionnaire=q,
            question=question(submitted.period.instrument, "q_likert"),
            raw_value="1",
            base_version=1,
            user=bnnk_a,
        )
    with pytest.raises(NotAllowed):
        workflow.questionnaire_exclude(questionnaire=q, user=bnnp_a, reason="x")
    with pytest.raises(ServiceError):
        workflow.collection_submit(collection=submitted, user=bnnk_a)
