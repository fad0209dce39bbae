"""A running installation upgrades across issue 13's moves without losing a row (migrations run for real).

The database is migrated back to the schema before the moves (the instrument models in assessments),
filled through the historical models of that schema, migrated forward to the latest, and read through
today's models: every row, foreign key, many-to-many link, content type and permission is still there.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from assessments.models import Answer, Evidence, Period, Questionnaire
from instruments.models import BandScheme, EvidenceType, Instrument, Option, Question, RespondentGroup
from reports.models import Score

# The last migration of each app before issue 13 moved models between apps; None: the app did not exist.
BEFORE_THE_MOVES = [
    ("assessments", "0004_collections_for_participants"),
    ("reports", "0004_render_request"),
    ("instruments", None),
]

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _fill_old_schema(apps) -> dict:
    """One of everything the moves touch, written as the old schema knew it; returns the ids to look for."""
    old = {name: apps.get_model("assessments", name) for name in (
        "BandScheme", "Band", "Instrument", "RespondentGroup", "Variable", "Indicator", "Question", "Option",
        "EvidenceType", "Period", "Collection", "Questionnaire", "Answer", "Evidence",
    )}  # fmt: skip
    scheme = old["BandScheme"].objects.create(code="lama", name="Skema lama")
    old["Band"].objects.create(scheme=scheme, order=0, label="Tanggap", lower=0, upper=100)
    inst = old["Instrument"].objects.create(version="lama-1", name="Instrumen lama", band_scheme=scheme)
    group = old["RespondentGroup"].objects.create(
        instrument=inst, code="keluarga", name="Keluarga", unit="family", min_quota=2
    )
    variable = old["Variable"].objects.create(instrument=inst, code="KK", name="Ketahanan Keluarga")
    indicator = old["Indicator"].objects.create(variable=variable, code="KK1", name="Indikator")
    question = old["Question"].objects.create(
        instrument=inst, indicator=indicator, code="KK1.1", text="Pertanyaan lama", kind="yesno"
    )
    question.groups.add(group)
    old["Option"].objects.create(question=question, value=1, label="Ya", score=1)
    evidence_type = old["EvidenceType"].objects.create(instrument=inst, code="sk", name="SK Tim Terpadu")
    evidence_type.questions.add(question)
    today = datetime.date(2026, 3, 1)
    period = old["Period"].objects.create(
        year=2031,
        name="IKOTAN 2031",
        instrument=inst,
        collection_opens=today,
        collection_deadline=today + datetime.timedelta(days=30),
        verification_deadline=today + datetime.timedelta(days=60),
    )
    regency = apps.get_model("regions", "Regency").objects.get(code="3573")
    collection = old["Collection"].objects.create(period=period, regency=regency)
    questionnaire = old["Questionnaire"].objects.create(collection=collection, group=group, label="RT lama")
    answer = old["Answer"].objects.create(questionnaire=questionnaire, question=question, value=1)
    evidence = old["Evidence"].objects.create(
        collection=collection, evidence_type=evidence_type, title="SK lama", original_name="sk.pdf", size=10
    )
    evidence.questions.add(question)
    apps.get_model("reports", "Score").objects.create(
        collection=collection,
        instrument=inst,
        basis="live",
        overall=75.5,
        reported=75.5,
        category="Tanggap",
        input_hash="h" * 64,
        computed_at=timezone.now(),
        checked_at=timezone.now(),
    )
    return {
        "instrument": inst.pk,
        "question": question.pk,
        "group": group.pk,
        "evidence_type": evidence_type.pk,
        "period": period.pk,
        "questionnaire": questionnaire.pk,
        "answer": answer.pk,
        "evidence": evidence.pk,
    }


def test_an_installation_at_the_old_schema_upgrades_with_every_row():
    executor = _migrate(BEFORE_THE_MOVES)
    old_apps = executor.loader.project_state(
        [(app, name) for app, name in BEFORE_THE_MOVES if name is not None]
    ).apps
    # The BNN pusat group of the old schema holds the permission to change instruments, under assessments.
    old_content_type = apps_content_type(old_apps, "assessments", "instrument")
    change_instrument = old_apps.get_model("auth", "Permission").objects.get(
        content_type=old_content_type, codename="change_instrument"
    )
    ids = _fill_old_schema(old_apps)
    old_apps.get_model("auth", "Group").objects.get_or_create(name="Penguji migrasi")[0].permissions.add(
        change_instrument
    )

    try:
        _migrate(executor.loader.graph.leaf_nodes())
        _check_every_row(ids, change_instrument.pk, old_content_type.pk)
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def apps_content_type(apps, app_label: str, model: str):
    return apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label=app_label, model=model
    )[0]


def _check_every_row(ids: dict, permission_id: int, content_type_id: int) -> None:
    instrument = Instrument.objects.get(pk=ids["instrument"])
    assert instrument.version == "lama-1" and instrument.band_scheme == BandScheme.objects.get(code="lama")
    assert [b.label for b in instrument.band_scheme.bands.all()] == ["Tanggap"]
    question = Question.objects.get(pk=ids["question"])
    assert question.instrument == instrument and question.indicator.variable.code == "KK"
    assert list(question.groups.values_list("pk", flat=True)) == [ids["group"]]
    assert list(Option.objects.filter(question=question).values_list("label", flat=True)) == ["Ya"]
    evidence_type = EvidenceType.objects.get(pk=ids["evidence_type"])
    assert list(evidence_type.questions.all()) == [question]
    # The survey's rows point at the moved models through the same columns.
    period = Period.objects.get(pk=ids["period"])
    assert period.instrument == instrument and instrument.is_locked
    questionnaire = Questionnaire.objects.get(pk=ids["questionnaire"])
    assert questionnaire.group == RespondentGroup.objects.get(pk=ids["group"])
    answer = Answer.objects.get(pk=ids["answer"])
    assert answer.question == question and answer.value == 1
    evidence = Evidence.objects.get(pk=ids["evidence"])
    assert evidence.evidence_type == evidence_type and list(evidence.questions.all()) == [question]
    score = Score.objects.get(collection=questionnaire.collection)
    assert score.instrument == instrument and score.overall == 75.5 and score.category == "Tanggap"
    # The content type row was renamed, not replaced: the group keeps the very same permission row.
    content_type = ContentType.objects.get_for_model(Instrument)
    assert content_type.pk == content_type_id and content_type.app_label == "instruments"
    permission = Permission.objects.get(pk=permission_id)
    assert permission.content_type_id == content_type_id and permission.codename == "change_instrument"
    assert Group.objects.get(name="Penguji migrasi").permissions.filter(pk=permission_id).exists()
    assert not ContentType.objects.filter(app_label="assessments", model="instrument").exists()
