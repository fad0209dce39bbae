"""A database populated at the schema before a model moved between apps migrates forward without losing a
row (issue 13: safe for a running installation).

The test database is migrated back to BEFORE (every app at its last migration before the moves), rows are
written with the historical models of that state, the database is migrated to the latest migrations, and
the rows are read back with the CURRENT models. To cover another move, add the app's last old migration
to BEFORE (and the new app with None), write its rows in `_populate_old` and check them in a test below.
At the end the database is back at the latest migrations and the regions every other test reads are
loaded again (a transactional test empties the tables when it ends).
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
from scoring.models import Heartbeat, Score

# The schema before the moves: the last migration of each app whose models moved or received them, and
# None for an app that did not exist yet (all its migrations unapplied).
BEFORE = [
    ("assessments", "0004_collections_for_participants"),
    ("reports", "0004_render_request"),  # Score and Heartbeat still in reports (0006 moves them)
    ("scoring", None),
    ("instruments", None),  # the instrument models still in assessments (instruments 0001 takes them)
]
YEAR = 2019  # a year no other test's period uses


def _migrate(targets):
    """Migrate the test database to `targets` and return the executor (its loader knows the graph)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection)


def _old_apps(executor):
    """The historical models of the BEFORE state."""
    return executor.loader.project_state([t for t in BEFORE if t[1] is not None]).apps


def _populate_old(apps) -> dict:
    """Rows at the old schema, through its historical models; returns what the checks compare."""
    regency = apps.get_model("regions", "Regency").objects.get(code="3573")
    scheme = apps.get_model("assessments", "BandScheme").objects.create(code="migrasi", name="Skema migrasi")
    apps.get_model("assessments", "Band").objects.create(
        scheme=scheme, order=0, label="Tanggap", lower=0, upper=100
    )
    instrument = apps.get_model("assessments", "Instrument").objects.create(
        version="migrasi-1", name="Instrumen migrasi", band_scheme=scheme
    )
    day = datetime.date(YEAR, 3, 1)
    period = apps.get_model("assessments", "Period").objects.create(
        year=YEAR,
        name=f"IKOTAN {YEAR}",
        instrument=instrument,
        collection_opens=day,
        collection_deadline=day + datetime.timedelta(days=30),
        verification_deadline=day + datetime.timedelta(days=60),
    )
    collection = apps.get_model("assessments", "Collection").objects.create(
        period=period, regency=regency, state="verified"
    )
    at = timezone.now().replace(microsecond=0)
    score = apps.get_model("reports", "Score").objects.create(
        collection=collection,
        instrument=instrument,
        basis="current",
        overall=73.5,
        reported=73.5,
        category="Tanggap",
        variables={"KK": 80.0, "KL": 67.0},
        indicators={"KK1": 80.0},
        groups={"ORTU": {"n": 30, "quota": 30, "met": True}},
        quota_met=True,
        respondents=30,
        input_hash="a" * 64,
        signature="b" * 64,
        computed_at=at,
        checked_at=at,
    )
    apps.get_model("reports", "Heartbeat").objects.create(name="sweep", at=at, detail={"periods": 1})
    content_types = apps.get_model("contenttypes", "ContentType").objects
    moved = {model: content_types.get_or_create(app_label="reports", model=model)[0].pk for model in MOVED}
    permission = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type_id=moved["score"], codename="view_score", defaults={"name": "Can view skor"}
    )[0]
    return {
        "score": score.pk,
        "collection": collection.pk,
        "instrument": instrument.pk,
        "at": at,
        "content_types": moved,
        "permission": permission.pk,
        **_populate_old_instrument(apps, instrument, collection),
    }


def _populate_old_instrument(apps, instrument, collection) -> dict:
    """The instrument's tree and the survey rows pointing into it, while both lived in assessments."""
    old = {name: apps.get_model("assessments", name) for name in (
        "RespondentGroup", "Variable", "Indicator", "Question", "Option", "EvidenceType", "Questionnaire",
        "Answer", "Evidence",
    )}  # fmt: skip
    group = old["RespondentGroup"].objects.create(
        instrument=instrument, code="keluarga", name="Keluarga", unit="family", min_quota=2
    )
    variable = old["Variable"].objects.create(instrument=instrument, code="KK", name="Ketahanan Keluarga")
    indicator = old["Indicator"].objects.create(variable=variable, code="KK1", name="Indikator")
    question = old["Question"].objects.create(
        instrument=instrument, indicator=indicator, code="KK1.1", text="Pertanyaan lama", kind="yesno"
    )
    question.groups.add(group)
    old["Option"].objects.create(question=question, value=1, label="Ya", score=1)
    evidence_type = old["EvidenceType"].objects.create(
        instrument=instrument, code="sk", name="SK Tim Terpadu"
    )
    evidence_type.questions.add(question)
    questionnaire = old["Questionnaire"].objects.create(collection=collection, group=group, label="RT lama")
    answer = old["Answer"].objects.create(questionnaire=questionnaire, question=question, value=1)
    evidence = old["Evidence"].objects.create(
        collection=collection, evidence_type=evidence_type, title="SK lama", original_name="sk.pdf", size=10
    )
    evidence.questions.add(question)
    # BNN pusat's kind of permission on an instrument model, held by a group, under the old app label.
    content_types = apps.get_model("contenttypes", "ContentType").objects
    instrument_type = content_types.get_or_create(app_label="assessments", model="instrument")[0]
    permission = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=instrument_type, codename="change_instrument", defaults={"name": "Can change instrumen"}
    )[0]
    apps.get_model("auth", "Group").objects.get_or_create(name="Penguji migrasi")[0].permissions.add(
        permission
    )
    return {
        "question": question.pk,
        "group": group.pk,
        "evidence_type": evidence_type.pk,
        "questionnaire": questionnaire.pk,
        "answer": answer.pk,
        "evidence": evidence.pk,
        "instrument_type": instrument_type.pk,
        "instrument_permission": permission.pk,
    }


MOVED = ("score", "heartbeat")


@pytest.fixture(scope="module", autouse=True)
def _regions_back_afterwards(django_db_blocker):
    # The transactional test empties every table when it ends; the regions other tests expect come back.
    yield
    with django_db_blocker.unblock():
        call_command("load_regions", verbosity=0)


@pytest.fixture
def migrated_from_old(transactional_db):
    """The database migrated back to BEFORE, populated, migrated forward; yields what was written."""
    call_command("load_regions", verbosity=0)  # an earlier transactional test may have emptied them
    executor = _migrate(BEFORE)
    written = _populate_old(_old_apps(executor))
    executor = _migrate(executor.loader.graph.leaf_nodes())
    yield written
    # Whatever the test found, the database ends at the latest migrations.
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_scores_and_heartbeats_survive_their_move_to_the_scoring_app(migrated_from_old):
    written = migrated_from_old
    score = Score.objects.get(pk=written["score"])
    assert Score._meta.db_table == "reports_score"
    assert (score.collection_id, score.instrument_id, score.basis) == (
        written["collection"],
        written["instrument"],
        Score.Basis.CURRENT,
    )
    assert (score.overall, score.reported, score.category) == (73.5, 73.5, "Tanggap")
    assert score.variables == {"KK": 80.0, "KL": 67.0} and score.indicators == {"KK1": 80.0}
    assert score.groups == {"ORTU": {"n": 30, "quota": 30, "met": True}}
    assert (score.quota_met, score.respondents) == (True, 30)
    assert (score.input_hash, score.signature) == ("a" * 64, "b" * 64)
    assert score.computed_at == written["at"] and score.checked_at == written["at"]
    beat = Heartbeat.objects.get(name="sweep")
    assert beat.detail == {"periods": 1} and beat.at == written["at"]


@pytest.mark.django_db(transaction=True)
def test_the_content_types_follow_the_models_so_permissions_stay_attached(migrated_from_old):
    written = migrated_from_old
    for model, cls in (("score", Score), ("heartbeat", Heartbeat)):
        pk = written["content_types"][model]
        content_type = ContentType.objects.get(pk=pk)  # the same row, relabelled
        assert (content_type.app_label, content_type.model) == ("scoring", model)
        assert ContentType.objects.get_for_model(cls).pk == pk
    assert not ContentType.objects.filter(app_label="reports", model__in=MOVED).exists()
    permission = Permission.objects.get(pk=written["permission"])
    assert (permission.content_type.app_label, permission.codename) == ("scoring", "view_score")


@pytest.mark.django_db(transaction=True)
def test_the_instrument_and_the_survey_rows_pointing_into_it_survive_the_move(migrated_from_old):
    written = migrated_from_old
    instrument = Instrument.objects.get(pk=written["instrument"])
    assert Instrument._meta.db_table == "assessments_instrument"
    assert instrument.version == "migrasi-1" and instrument.band_scheme == BandScheme.objects.get(
        code="migrasi"
    )
    assert [band.label for band in instrument.band_scheme.bands.all()] == ["Tanggap"]
    question = Question.objects.get(pk=written["question"])
    assert question.instrument == instrument and question.indicator.variable.code == "KK"
    assert list(question.groups.values_list("pk", flat=True)) == [written["group"]]
    assert list(Option.objects.filter(question=question).values_list("label", flat=True)) == ["Ya"]
    evidence_type = EvidenceType.objects.get(pk=written["evidence_type"])
    assert list(evidence_type.questions.all()) == [question]
    # The survey's rows point at the moved models through the same columns.
    assert Period.objects.get(year=YEAR).instrument == instrument and instrument.is_locked
    questionnaire = Questionnaire.objects.get(pk=written["questionnaire"])
    assert questionnaire.group == RespondentGroup.objects.get(pk=written["group"])
    answer = Answer.objects.get(pk=written["answer"])
    assert answer.question == question and answer.value == 1
    evidence = Evidence.objects.get(pk=written["evidence"])
    assert evidence.evidence_type == evidence_type and list(evidence.questions.all()) == [question]
    # The content type row was relabelled, not replaced: the group keeps the very same permission row.
    content_type = ContentType.objects.get(pk=written["instrument_type"])
    assert (content_type.app_label, content_type.model) == ("instruments", "instrument")
    assert ContentType.objects.get_for_model(Instrument).pk == content_type.pk
    permission = Permission.objects.get(pk=written["instrument_permission"])
    assert permission.content_type_id == content_type.pk
    assert Group.objects.get(name="Penguji migrasi").permissions.filter(pk=permission.pk).exists()
    assert not ContentType.objects.filter(app_label="assessments", model="instrument").exists()
    # makemigrations --check exits non-zero when a model differs from its migrations' state.
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)
