"""Action plans (issue 16): the pure rules, the services' checks and history, and the suggestions drawn
from a verified collection's stored indicator scores and the engine's gains."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from assessments.models import Collection
from assessments.states import VERIFIED_STATES
from instruments.models import Indicator
from kotan.lib.service_errors import NotAllowed, ServiceError
from plans import rules, services
from plans.models import DEFAULT_AGENCIES, ActionItem, ActionPlan, Agency
from tests.factories import attach_sk, complete_questionnaire, make_collection, make_period, make_score

TODAY = datetime.date(2026, 12, 6)


# --- pure rules -------------------------------------------------------------------------------------------


def test_overdue_only_when_past_and_still_open():
    past, future = TODAY - datetime.timedelta(days=1), TODAY + datetime.timedelta(days=1)
    assert rules.is_overdue(target_date=past, status="direncanakan", today=TODAY)
    assert rules.is_overdue(target_date=past, status="berjalan", today=TODAY)
    assert not rules.is_overdue(target_date=past, status="selesai", today=TODAY)
    assert not rules.is_overdue(target_date=past, status="batal", today=TODAY)
    assert not rules.is_overdue(target_date=future, status="berjalan", today=TODAY)
    assert not rules.is_overdue(target_date=TODAY, status="berjalan", today=TODAY)


def test_target_date_rules():
    assert (
        rules.target_date_problem(datetime.date(2025, 12, 31), period_year=2026, today=TODAY)
        == "before_period"
    )
    assert rules.target_date_problem(datetime.date(2027, 6, 30), period_year=2026, today=TODAY) == ""
    assert rules.target_date_problem(datetime.date(2030, 1, 1), period_year=2026, today=TODAY) == "too_far"
    assert rules.target_date_problem(datetime.date(2029, 12, 31), period_year=2026, today=TODAY) == ""


def test_strategy_by_variable_code_or_name():
    assert rules.strategy_for_variable("KL") == "penguatan_kelembagaan"
    assert rules.strategy_for_variable("HK") == "penguatan_kelembagaan"
    assert rules.strategy_for_variable("KM") == "pengembangan_kegiatan"
    assert rules.strategy_for_variable("KW") == "pelibatan_pemangku_kepentingan"
    assert rules.strategy_for_variable("tidak-dikenal") == rules.DEFAULT_STRATEGY


def test_pick_suggestions_gains_first_then_weakest_without_repeats():
    gains = [("A", 0.5), ("B", 4.0), ("C", 0.0), ("D", 2.0)]
    scores = {"A": 90.0, "B": 20.0, "C": 10.0, "D": 50.0, "E": 30.0}
    out = rules.pick_suggestions(gains, scores, top=2, weakest=2)
    # B and D move the score most; the weakest not already chosen are C (10) and E (30).
    assert out == [("B", "gain"), ("D", "gain"), ("C", "weak"), ("E", "weak")]
    assert rules.pick_suggestions([], {"A": 1.0}, top=3, weakest=3) == [("A", "weak")]


# --- services --------------------------------------------------------------------------------------------


def _verified(regency, *, year=2026, indicators=None):
    period = make_period(regencies=[regency], year=year)
    collection = make_collection(regency, period)
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.VERIFIED)
    collection.refresh_from_db()
    make_score(
        collection,
        60.0,
        {"KK": 70.0, "KL": 50.0},
        indicators=indicators or {"KK1": 80.0, "KK2": 60.0, "KL1": 50.0},
    )
    return collection


def _data(collection, **over):
    inst = collection.period.instrument
    values = {
        "indicators": [Indicator.objects.get(variable__instrument=inst, code="KL1")],
        "strategy": "penguatan_kelembagaan",
        "agency": Agency.objects.get(regency=collection.regency, name="Kesbangpol"),
        "activity": "Menyusun RAD P4GN",
        "expected_output": "RAD P4GN ditetapkan",
        "target_date": datetime.date(collection.period.year + 1, 6, 30),
        "budget": Decimal("15000000"),
        "budget_source": "APBD",
    }
    values.update(over)
    return services.ItemData(**values)


def test_plan_refused_before_the_score_is_verified(regency_a, bnnk_a):
    collection = make_collection(regency_a, make_period(regencies=[regency_a], year=2026))
    make_score(collection, 60.0, {"KK": 70.0})
    with pytest.raises(ServiceError) as err:
        services.plan_create(user=bnnk_a, collection=collection)
    assert err.value.code == "not_verified" and "diverifikasi" in err.value.message
    assert not ActionPlan.objects.exists()


def test_plan_refused_when_verified_but_no_stored_score(regency_a, bnnk_a):
    collection = make_collection(regency_a, make_period(regencies=[regency_a], year=2026))
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.FINAL)
    collection.refresh_from_db()
    with pytest.raises(ServiceError):
        services.plan_create(user=bnnk_a, collection=collection)


def test_plan_created_once_with_default_agencies_and_history(regency_a, bnnk_a):
    collection = _verified(regency_a)
    plan = services.plan_create(user=bnnk_a, collection=collection)
    assert plan.title == f"Rencana aksi KOTAN {regency_a.name} 2026"
    assert sorted(Agency.objects.filter(regency=regency_a).values_list("name", flat=True)) == sorted(
        DEFAULT_AGENCIES
    )
    assert plan.history.count() == 1
    with pytest.raises(ServiceError) as err:
        services.plan_create(user=bnnk_a, collection=collection)
    assert err.value.code == "exists"


def test_only_the_own_bnnk_writes(regency_a, bnnk_b, bnnp_a, pusat, bnnk_a):
    collection = _verified(regency_a)
    for user in (bnnk_b, bnnp_a, pusat):
        with pytest.raises(NotAllowed):
            services.plan_create(user=user, collection=collection)
    plan = services.plan_create(user=bnnk_a, collection=collection)
    with pytest.raises(NotAllowed):
        services.item_add(user=bnnp_a, plan=plan, data=_data(collection), today=TODAY)
    assert not ActionItem.objects.exists()


def test_item_add_edit_status_drop_keep_history(regency_a, bnnk_a):
    collection = _verified(regency_a)
    plan = services.plan_create(user=bnnk_a, collection=collection)
    item = services.item_add(user=bnnk_a, plan=plan, data=_data(collection), today=TODAY)
    assert [i.code for i in item.indicators.all()] == ["KL1"]
    services.item_edit(
        user=bnnk_a, item=item, data=_data(collection, activity="Rapat koordinasi"), today=TODAY
    )
    services.item_set_status(user=bnnk_a, item=item, status="selesai")
    item.refresh_from_db()
    assert item.status == "selesai" and item.completed_at is not None
    services.item_set_status(user=bnnk_a, item=item, status="berjalan")
    item.refresh_from_db()
    assert item.completed_at is None
    pk = item.pk
    services.item_drop(user=bnnk_a, item=item)
    assert not ActionItem.objects.filter(pk=pk).exists()
    kinds = list(
        ActionItem.history.filter(id=pk).order_by("history_date").values_list("history_type", flat=True)
    )
    assert kinds[0] == "+" and kinds[-1] == "-"
    rows = ActionItem.history.filter(id=pk)
    assert (
        rows.filter(activity="Menyusun RAD P4GN").exists()
        and rows.filter(activity="Rapat koordinasi").exists()
    )
    assert rows.filter(status="selesai").exists()


@pytest.mark.parametrize(
    ("over", "words"),
    [
        ({"indicators": []}, "sedikitnya satu indikator"),
        ({"target_date": datetime.date(2025, 1, 1)}, "sebelum tahun periode"),
        ({"target_date": datetime.date(2040, 1, 1)}, "terlalu jauh"),
        ({"budget": Decimal("-1")}, "negatif"),
        ({"strategy": "lain"}, "Strategi tidak dikenal"),
        ({"activity": "  "}, "wajib diisi"),
    ],
)
def test_item_refusals_say_why_and_save_nothing(regency_a, bnnk_a, over, words):
    collection = _verified(regency_a)
    plan = services.plan_create(user=bnnk_a, collection=collection)
    with pytest.raises(ServiceError) as err:
        services.item_add(user=bnnk_a, plan=plan, data=_data(collection, **over), today=TODAY)
    assert words in err.value.message
    assert not ActionItem.objects.exists()


def test_item_indicator_of_another_instrument_or_agency_of_another_regency(
    regency_a, regency_b, bnnk_a, bnnk_b
):
    collection = _verified(regency_a)
    other = _verified(regency_b, year=2027)  # its own instrument
    plan = services.plan_create(user=bnnk_a, collection=collection)
    services.plan_create(user=bnnk_b, collection=other)
    foreign = Indicator.objects.get(variable__instrument=other.period.instrument, code="KL1")
    with pytest.raises(ServiceError, match="instrumen periode 2026"):
        services.item_add(user=bnnk_a, plan=plan, data=_data(collection, indicators=[foreign]), today=TODAY)
    their_agency = Agency.objects.get(regency=regency_b, name="Bappeda")
    with pytest.raises(ServiceError, match="kab/kota ini"):
        services.item_add(user=bnnk_a, plan=plan, data=_data(collection, agency=their_agency), today=TODAY)
    assert not ActionItem.objects.exists()


def test_rad_document_must_be_evidence_of_the_same_collection(regency_a, regency_b, bnnk_a):
    collection = _verified(regency_a)
    plan = services.plan_create(user=bnnk_a, collection=collection)
    own = attach_sk(collection)
    services.plan_set_document(user=bnnk_a, plan=plan, evidence=own)
    assert ActionPlan.objects.get(pk=plan.pk).rad_document == own
    foreign = attach_sk(make_collection(regency_b, collection.period))
    with pytest.raises(ServiceError):
        services.plan_set_document(user=bnnk_a, plan=plan, evidence=foreign)
    assert ActionPlan.objects.get(pk=plan.pk).rad_document == own


def test_agency_add_refuses_duplicates(regency_a, bnnk_a, bnnp_a):
    services.agencies_ensure_defaults(regency=regency_a)
    services.agency_add(user=bnnk_a, regency=regency_a, name="  BPBD  ")
    assert Agency.objects.filter(regency=regency_a, name="BPBD").exists()
    with pytest.raises(ServiceError, match="sudah ada"):
        services.agency_add(user=bnnk_a, regency=regency_a, name="kesbangpol")
    with pytest.raises(NotAllowed):
        services.agency_add(user=bnnp_a, regency=regency_a, name="Dinas Baru")


# --- suggestions -----------------------------------------------------------------------------------------


def test_suggestions_empty_before_verification(regency_a):
    collection = make_collection(regency_a, make_period(regencies=[regency_a], year=2026))
    make_score(collection, 60.0, {"KK": 70.0}, indicators={"KK1": 10.0})
    assert services.suggest_items(collection) == []


def test_suggestions_name_the_weakest_indicators_without_answers(regency_a):
    # No answers, so the engine has no gains: the proposals are the stored weakest, lowest first.
    collection = _verified(regency_a, indicators={"KK1": 80.0, "KK2": 30.0, "KL1": 55.0})
    out = services.suggest_items(collection, weakest=2)
    assert [(s["code"], s["reason"]) for s in out] == [("KK2", "weak"), ("KL1", "weak")]
    assert out[0]["strategy"] == "pengembangan_kapasitas"  # KK: Ketahanan Keluarga
    assert out[1]["strategy"] == "penguatan_kelembagaan"  # KL: Kelembagaan
    assert out[0]["score"] == 30.0
    assert not ActionItem.objects.exists()


def test_suggestions_lead_with_the_engines_largest_gain(regency_a, bnnk_a):
    collection = make_collection(regency_a, make_period(regencies=[regency_a], year=2026))
    # The family answers are at the top; the institution's KL1 answers are at the bottom: only KL1 and
    # the shared q_likert can rise, and KL1 (a whole variable) moves the overall most.
    for _ in range(2):
        complete_questionnaire(
            collection, bnnk_a, "keluarga", {"q_likert": "5", "q_yesno": "1", "q_choice": "3"}
        )
    complete_questionnaire(
        collection, bnnk_a, "instansi", {"q_likert": "5", "q_number": "0", "q_likert2": "1"}
    )
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.VERIFIED)
    collection.refresh_from_db()
    make_score(
        collection, 50.0, {"KK": 100.0, "KL": 0.0}, indicators={"KK1": 100.0, "KK2": 100.0, "KL1": 0.0}
    )
    out = services.suggest_items(collection, top=1, weakest=1)
    assert out[0]["code"] == "KL1" and out[0]["reason"] == "gain" and out[0]["gain"] > 0
    # KL1 already proposed for its gain; the next weakest stored score follows (KK1, by code, tie at 100).
    assert [s["code"] for s in out] == ["KL1", "KK1"]


def test_a_concurrent_second_plan_is_refused_not_a_crash(regency_a, bnnk_a, monkeypatch):
    collection = _verified(regency_a)
    ActionPlan.objects.create(collection=collection, title="Lebih dulu")
    # Another request made it after this one's check: the insert meets the one-plan-per-collection rule.
    monkeypatch.setattr(services, "has_plan", lambda collection: False)
    with pytest.raises(ServiceError) as err:
        services.plan_create(user=bnnk_a, collection=collection)
    assert err.value.code == "exists"
    assert ActionPlan.objects.get().title == "Lebih dulu"


def test_agency_rename_keeps_its_items_and_refuses_a_taken_name(regency_a, bnnk_a, bnnp_a):
    collection = _verified(regency_a)
    plan = services.plan_create(user=bnnk_a, collection=collection)
    item = services.item_add(user=bnnk_a, plan=plan, data=_data(collection), today=TODAY)
    agency = item.agency
    services.agency_rename(user=bnnk_a, agency=agency, name="Badan Kesbangpol")
    item.refresh_from_db()
    assert item.agency.name == "Badan Kesbangpol"
    services.agency_rename(user=bnnk_a, agency=agency, name="badan kesbangpol")  # its own name, other case
    with pytest.raises(ServiceError, match="sudah ada"):
        services.agency_rename(user=bnnk_a, agency=agency, name="Bappeda")
    with pytest.raises(NotAllowed):
        services.agency_rename(user=bnnp_a, agency=agency, name="Lain")
    assert Agency.objects.get(pk=agency.pk).name == "badan kesbangpol"
    assert agency.history.filter(name="Badan Kesbangpol").exists()


def test_the_verified_states_are_the_collection_states_a_bnnp_verifies():
    """assessments/states.py spells them as plain values for the pure ranking; they must stay the model's."""
    assert set(VERIFIED_STATES) == {Collection.State.VERIFIED, Collection.State.FINAL}
