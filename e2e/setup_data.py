"""Data for the browser walk (e2e/walk.py), written into its own fresh database by e2e/run.sh.

A small instrument (tests.factories.make_instrument: Keluarga quota 2, Instansi Pemerintah quota 1,
one required evidence type), a period of the current year open now with two kab/kota of Jawa Timur,
and users with the password in $E2E_PASSWORD: one BNNK per kab/kota, the BNNP of the province and BNN
pusat. Nothing else: every questionnaire, link, document and decision is made in the browser.

For the field-kit walk (e2e/fieldkit_walk.py): the default instrument (five respondent groups) in a second
period, the previous year's label but open now, with Kota Batu; two BNNK officers of Kota Batu; and one
draft questionnaire the first officer started online (three answers), which the walk edits offline while
the second officer edits one of the same answers online (the conflict).

For the action-plan walk (e2e/plans_walk.py): a period two years back (the small instrument) with Kota
Surabaya, its collection verified with a stored score (indicators KK1 80, KK2 60, KL1 50: the suggestions
come from these), and its own BNNK, BNNP of Jawa Timur and BNN pusat users (each BNNP/pusat sets up its
two-factor at its first login, so the walk does not depend on the main walk having run).

For the plan walk's effect step: Kota Kediri with a plan in a period four years back whose items (KK2,
KL1) are completed, and that period and the next one (three years back) verified and scored, with Kota
Blitar scored in both (no plan) so the national figures are not Kediri's alone. The stored scores carry
the instrument's signature and intervals as the score task writes them (as_the_task_stores), so the
running worker's sweep leaves them; the
report card of the later period then shows the effect box (plans.effect, computed on the page).
"""

import datetime
import os
import sys

import django
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")
django.setup()

from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from assessments.autosave.writes import questionnaire_save_answer  # noqa: E402
from assessments.models import Collection  # noqa: E402
from assessments.selectors import group_questions  # noqa: E402
from assessments.services import questionnaire_create  # noqa: E402
from instruments.models import Indicator  # noqa: E402
from instruments.services import instrument_load_default  # noqa: E402
from plans.models import ActionItem, ActionPlan, Agency  # noqa: E402
from regions.models import Province, Regency  # noqa: E402
from scoring import intervals  # noqa: E402
from scoring.services import instrument_signatures  # noqa: E402
from tests.factories import make_collection, make_instrument, make_period, make_score  # noqa: E402

# Who walks which kab/kota, in the order e2e/walk.py runs them (desktop first, then phone width).
BNNK_USERS = {"e2e.bnnk.kotamalang": "3573", "e2e.bnnk.kabmalang": "3507"}
BNNP_USER, PROVINCE = "e2e.bnnp.jatim", "35"
PUSAT_USER = "e2e.pusat"
FIELD_USERS, FIELD_REGENCY = ("e2e.bnnk.kotabatu", "e2e.bnnk.kotabatu2"), "3579"
PLAN_REGENCY = "3578"  # Kota Surabaya
PLAN_BNNK, PLAN_BNNP, PLAN_PUSAT = "e2e.bnnk.surabaya", "e2e.bnnp.jatim.rencana", "e2e.pusat.rencana"
EFFECT_REGENCY, EFFECT_OTHER = "3571", "3572"  # Kota Kediri (the plan), Kota Blitar (scored, no plan)
# Indicator scores {regency: (year N, year N + 1)}: Kediri's completed items aim at KK2 and KL1.
EFFECT_SCORES = {
    EFFECT_REGENCY: ({"KK1": 70.0, "KK2": 40.0, "KL1": 45.0}, {"KK1": 72.0, "KK2": 52.0, "KL1": 55.0}),
    EFFECT_OTHER: ({"KK1": 60.0, "KK2": 50.0, "KL1": 50.0}, {"KK1": 61.0, "KK2": 54.0, "KL1": 52.0}),
}


def main() -> None:
    password = os.environ["E2E_PASSWORD"]
    regencies = list(Regency.objects.filter(code__in=BNNK_USERS.values()))
    assert len(regencies) == len(BNNK_USERS), "load_regions first"
    instrument = make_instrument(version="E2E-1")
    year = timezone.localdate().year
    period = make_period(instrument, regencies=regencies, year=year, opens_days_ago=5, deadline_in_days=20)
    period.name = f"Periode uji browser {year}"
    period.save(update_fields=["name"])

    def user(username: str, role: str, **scope) -> None:
        u = User(username=username, role=role, first_name="Uji", last_name=username.split(".", 1)[1], **scope)
        u.email = f"{username}@e2e.kotan"
        u.set_password(password)
        u.full_clean(exclude=["password"])
        u.save()

    for username, code in BNNK_USERS.items():
        user(username, Role.BNNK, regency=Regency.objects.get(code=code))
    user(BNNP_USER, Role.BNNP, province=Province.objects.get(code=PROVINCE))
    user(PUSAT_USER, Role.PUSAT)
    print(f"e2e data: period {year} ({instrument.version}), {len(regencies)} kab/kota, 4 users")
    field_kit(user, year - 1)
    action_plans(user, year - 2)
    plan_effect(year - 4)


def field_kit(user, year: int) -> None:
    """The field walk's period (default instrument, Kota Batu, open now), officers and online draft."""
    batu = Regency.objects.get(code=FIELD_REGENCY)
    instrument, _created = instrument_load_default()
    period = make_period(instrument, regencies=[batu], year=year, opens_days_ago=5, deadline_in_days=20)
    period.name = f"Periode uji lapangan {year}"
    period.save(update_fields=["name"])
    for username in FIELD_USERS:
        user(username, Role.BNNK, regency=batu)
    officer = User.objects.get(username=FIELD_USERS[0])
    collection = Collection.objects.get_or_create(period=period, regency=batu)[0]
    group = instrument.groups.get(code="keluarga")
    draft = questionnaire_create(collection=collection, group=group, user=officer, label="Draf daring")
    for question in list(group_questions(group))[:3]:
        value = question.options.order_by("value").first().value
        questionnaire_save_answer(
            questionnaire=draft, question=question, raw_value=value, base_version=0, user=officer
        )
    print(f"e2e field data: period {year} ({instrument.version}), Kota Batu, 2 officers, 1 draft")


def as_the_task_stores(instrument, overall: float, variables: dict) -> dict:
    """A fabricated score's fields that the score task writes beside the numbers: the instrument's signature
    and bootstrap intervals of the replicates wanted now (here all equal to the score: a zero-width
    interval). Without them the running worker's sweep (scoring.services.stale_collections) takes the score
    for stale and recomputes it from no questionnaires, which removes it."""
    ci = {
        "overall": [overall, overall],
        "reported": [round(overall, 2), round(overall, 2)],
        "variables": {code: [value, value] for code, value in variables.items()},
        "replicates": intervals.DEFAULT_REPLICATES,
        "seed": intervals.BASE_SEED,
        "level": intervals.LEVEL,
    }
    return {
        "signature": instrument_signatures([instrument.pk])[instrument.pk],
        "ci": ci,
        "replicates": intervals.replicates_bytes(np.full(intervals.DEFAULT_REPLICATES, overall)),
    }


def action_plans(user, year: int) -> None:
    """The plan walk's period (Kota Surabaya verified with a stored score) and its three users."""
    surabaya = Regency.objects.get(code=PLAN_REGENCY)
    instrument = make_instrument(version="E2E-P")
    period = make_period(instrument, regencies=[surabaya], year=year)
    period.name = f"Periode uji rencana aksi {year}"
    period.save(update_fields=["name"])
    collection = make_collection(surabaya, period)
    Collection.objects.filter(pk=collection.pk).update(state=Collection.State.VERIFIED)
    collection.refresh_from_db()
    scores = {"KK1": 80.0, "KK2": 60.0, "KL1": 50.0}
    variables = {"KK": 70.0, "KL": 50.0}
    make_score(
        collection, 62.5, variables, indicators=scores, **as_the_task_stores(instrument, 62.5, variables)
    )
    user(PLAN_BNNK, Role.BNNK, regency=surabaya)
    user(PLAN_BNNP, Role.BNNP, province=Province.objects.get(code=PROVINCE))
    user(PLAN_PUSAT, Role.PUSAT)
    print(f"e2e plan data: period {year}, Kota Surabaya verified (62.5), 3 users")


def plan_effect(year: int) -> None:
    """Kota Kediri's plan of `year` (items completed) and both kab/kota verified and scored in `year` and
    `year` + 1: the effect step's data."""
    instrument = make_instrument(version="E2E-E")
    regencies = {code: Regency.objects.get(code=code) for code in EFFECT_SCORES}
    collections = {}
    for i, label in enumerate(("", " berikutnya")):
        period = make_period(instrument, regencies=list(regencies.values()), year=year + i)
        period.name = f"Periode uji efek{label} {year + i}"
        period.save(update_fields=["name"])
        for code, regency in regencies.items():
            collection = make_collection(regency, period)
            Collection.objects.filter(pk=collection.pk).update(state=Collection.State.VERIFIED)
            indicators = EFFECT_SCORES[code][i]
            overall = sum(indicators.values()) / len(indicators)
            variables = {"KK": overall, "KL": overall}
            make_score(
                collection,
                overall,
                variables,
                indicators=indicators,
                **as_the_task_stores(instrument, overall, variables),
            )
            collections[(code, i)] = collection
    kediri = regencies[EFFECT_REGENCY]
    agency = Agency.objects.create(regency=kediri, name="Kesbangpol")
    plan = ActionPlan.objects.create(
        collection=collections[(EFFECT_REGENCY, 0)], title=f"Rencana aksi uji {year}"
    )
    for code, activity in (("KK2", "Pelatihan kader keluarga"), ("KL1", "Penetapan Perda P4GN")):
        item = ActionItem.objects.create(
            plan=plan,
            strategy="penguatan_kelembagaan",
            agency=agency,
            activity=activity,
            expected_output="Selesai dilaksanakan",
            target_date=datetime.date(year + 1, 6, 30),
            status=ActionItem.Status.SELESAI,
            completed_at=timezone.make_aware(datetime.datetime(year + 1, 6, 1, 10, 0)),
        )
        item.indicators.add(Indicator.objects.get(variable__instrument=instrument, code=code))
    print(f"e2e effect data: Kota Kediri's plan of {year} (2 items done), {year} and {year + 1} scored")


if __name__ == "__main__":
    main()
