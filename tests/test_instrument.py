"""The default instrument, the shipped band schemes, load_instrument and copying a version."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from assessments.services import questionnaire_create
from instruments import services as inst_mod
from instruments.default import DEFAULT_VERSION, default_instrument_data
from instruments.models import (
    Band,
    BandScheme,
    EvidenceType,
    Indicator,
    Instrument,
    Option,
    Question,
    RespondentGroup,
    Variable,
)
from instruments.services import (
    copy_version_suggest,
    instrument_copy,
    instrument_load_default,
    instrument_to_data,
    options_problems,
)
from kotan.lib.service_errors import ServiceError
from tests.factories import make_collection

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (
            BandScheme,
            Band,
            Instrument,
            RespondentGroup,
            Variable,
            Indicator,
            Question,
            Option,
            EvidenceType,
        )
    } | {
        "question_groups": Question.groups.through.objects.count(),
        "evidence_questions": EvidenceType.questions.through.objects.count(),
    }


def _structure(instrument: Instrument) -> dict:
    data = instrument_to_data(instrument)
    for key in ("version", "name"):
        data.pop(key)
    return data


# --- The default data (pure) ------------------------------------------------------------------------


def test_default_data_has_five_equal_variables_and_about_fifty_questions():
    data = default_instrument_data()
    assert [v["name"] for v in data["variables"]] == [
        "Ketahanan Keluarga",
        "Ketahanan Masyarakat",
        "Kewilayahan",
        "Kelembagaan",
        "Hukum",
    ]
    assert {v["weight"] for v in data["variables"]} == {Decimal(1)}
    questions = [q for v in data["variables"] for i in v["indicators"] for q in i["questions"]]
    assert 45 <= len(questions) <= 55
    assert len({q["code"] for q in questions}) == len(questions)
    for v in data["variables"]:
        for i in v["indicators"]:
            assert 2 <= len(i["questions"]) <= 4, i["code"]
            for q in i["questions"]:
                assert q["code"].startswith(i["code"] + "."), q["code"]


def test_default_groups_and_quotas():
    groups = {g["code"]: (g["name"], g["unit"], g["min_quota"]) for g in default_instrument_data()["groups"]}
    assert groups == {
        "keluarga": ("Keluarga", "family", 60),
        "masyarakat": ("Masyarakat", "non_family", 40),
        "instansi": ("Instansi Pemerintah", "non_family", 30),
        "pendidikan": ("Pendidikan", "non_family", 30),
        "swasta": ("Swasta/Dunia Usaha", "non_family", 20),
    }


# The respondent groups of each variable in IKOTAN.md's table; a question asks a non-empty subset.
TABLE_GROUPS = {
    "KK": {"keluarga"},
    "KM": {"masyarakat", "keluarga"},
    "KW": {"masyarakat", "instansi", "swasta"},
    "KL": {"instansi", "pendidikan", "swasta"},
    "HK": {"instansi", "pendidikan"},
}


def test_every_question_asks_groups_of_its_variable_and_has_valid_options():
    kinds = set()
    for v in default_instrument_data()["variables"]:
        for i in v["indicators"]:
            for q in i["questions"]:
                assert q["groups"], q["code"]
                assert set(q["groups"]) <= TABLE_GROUPS[v["code"]], q["code"]
                assert options_problems(q["kind"], q["options"]) == [], q["code"]
                assert all(o["label"] for o in q["options"])
                kinds.add(q["kind"])
    assert kinds == {"likert", "yesno", "choice", "number"}


def test_kind_specific_options():
    questions = {
        q["code"]: q
        for v in default_instrument_data()["variables"]
        for i in v["indicators"]
        for q in i["questions"]
    }
    likert = questions["KK1.1"]["options"]
    assert [(o["value"], o["score"]) for o in likert] == [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4)]
    assert likert[0]["label"] == "Sangat tidak setuju" and likert[4]["label"] == "Sangat setuju"
    assert {(o["value"], o["score"], o["label"]) for o in questions["KL1.1"]["options"]} == {
        (1, 1, "Ya"),
        (0, 0, "Tidak"),
    }
    rad = questions["KL2.1"]
    assert rad["kind"] == "choice"
    assert [o["score"] for o in rad["options"]] == [0, 1, 2, 3]
    assert rad["options"][0]["label"] == "Belum ada"
    assert rad["options"][3]["label"] == "Dilaksanakan dan dievaluasi"
    perda = questions["HK1.1"]
    assert perda["kind"] == "choice" and "peraturan pelaksana" in perda["options"][3]["label"]
    meetings = questions["KL4.1"]
    assert meetings["kind"] == "number"
    assert [(o["value"], o["score"]) for o in meetings["options"]] == [(0, 0), (1, 1), (3, 2), (6, 3)]


@pytest.mark.parametrize(
    ("kind", "values", "expect"),
    [
        ("likert", [1, 2, 3, 4], "tepat lima opsi"),
        ("yesno", [1, 2], "1 (ya) dan 0 (tidak)"),
        ("choice", [0], "paling sedikit dua opsi"),
        ("number", [1, 3], "ambang terendah"),
        ("choice", [0, 0], "nilai opsi yang sama"),
    ],
)
def test_options_problems_refuse_wrong_shapes(kind, values, expect):
    options = [{"value": float(v), "score": float(i), "label": str(v)} for i, v in enumerate(values)]
    assert any(expect in p for p in options_problems(kind, options))


def test_options_problems_refuse_all_zero_scores():
    options = [{"value": 0.0, "score": 0.0}, {"value": 1.0, "score": 0.0}]
    assert options_problems("choice", options) == ["paling sedikit satu opsi harus berskor lebih dari 0"]


# --- Loading -------------------------------------------------------------------------------------------


def test_load_default_creates_schemes_and_instrument():
    instrument, created = instrument_load_default()
    assert created
    assert instrument.version == DEFAULT_VERSION
    assert instrument.band_scheme.code == "lima-0-100"
    assert instrument.variables.count() == 5
    assert instrument.questions.count() == 52
    assert instrument.groups.count() == 5
    for question in instrument.questions.prefetch_related("groups", "options"):
        assert question.groups.exists(), question.code
        assert options_problems(question.kind, list(question.options.values("value", "score"))) == []
    evidence = {
        e.code: (e.required, sorted(q.code for q in e.questions.all()))
        for e in instrument.evidence_types.all()
    }
    assert evidence == {
        "sk-tim-terpadu": (True, ["KL1.1", "KL1.2"]),
        "rad-p4gn": (True, ["KL2.1", "KL2.2"]),
        "perda-p4gn": (False, ["HK1.1", "HK1.2"]),
        "mou-pks": (False, ["KL5.1", "KL5.2"]),
    }
    assert _structure(instrument) == {
        k: v for k, v in default_instrument_data().items() if k not in ("version", "name")
    }


def test_shipped_band_schemes():
    inst_mod.band_schemes_ensure()
    five = BandScheme.objects.get(code="lima-0-100")
    assert (five.kind, five.decimals, five.scale_min, five.scale_max) == ("fixed", 2, 0, 100)
    assert [(b.label, str(b.lower), str(b.upper)) for b in five.bands.all()] == [
        ("Tidak Tanggap", "0.000", "20.000"),
        ("Kurang Tanggap", "20.010", "40.000"),
        ("Cukup Tanggap", "40.010", "60.000"),
        ("Tanggap", "60.010", "80.000"),
        ("Sangat Tanggap", "80.010", "100.000"),
    ]
    four = BandScheme.objects.get(code="empat-0-100-2021")
    assert [(b.label, b.lower, b.upper) for b in four.bands.all()] == [
        ("Tidak Tanggap", Decimal("0"), Decimal("25")),
        ("Cukup Tanggap", Decimal("25.01"), Decimal("50")),
        ("Tanggap", Decimal("50.01"), Decimal("75")),
        ("Sangat Tanggap", Decimal("75.01"), Decimal("100")),
    ]
    three = BandScheme.objects.get(code="tiga-relatif-1-4")
    assert (three.kind, three.scale_min, three.scale_max, three.decimals, three.relative_top) == (
        "relative",
        1,
        4,
        3,
        "scale_max",
    )
    assert [(b.label, b.lower, b.upper) for b in three.bands.all()] == [
        ("Cukup Tanggap", None, None),
        ("Tanggap", None, None),
        ("Sangat Tanggap", None, None),
    ]


def test_load_instrument_command_is_idempotent(capsys):
    call_command("load_instrument")
    first = _row_counts()
    assert first["Instrument"] == 1 and first["BandScheme"] == 3 and first["Question"] == 52
    call_command("load_instrument")
    assert _row_counts() == first
    assert "nothing changed" in capsys.readouterr().out


def test_load_instrument_never_touches_an_existing_version(regency_a, bnnk_a):
    instrument, _ = instrument_load_default()
    # Edited in the admin, then used by a period with a questionnaire (locked).
    Question.objects.filter(instrument=instrument, code="KK1.1").update(text="Teks yang diubah BNN")
    collection = make_collection(regency_a, instrument=instrument)
    questionnaire_create(
        collection=collection, group=instrument.groups.get(code="keluarga"), user=bnnk_a, label="RT 1"
    )
    assert instrument.is_locked
    before = _row_counts()
    call_command("load_instrument")
    assert _row_counts() == before
    assert Question.objects.get(instrument=instrument, code="KK1.1").text == "Teks yang diubah BNN"


def test_an_edited_scheme_is_kept():
    inst_mod.band_schemes_ensure()
    BandScheme.objects.filter(code="lima-0-100").update(name="Diubah")
    assert inst_mod.band_schemes_ensure() == []
    assert BandScheme.objects.get(code="lima-0-100").name == "Diubah"


# --- Copy ----------------------------------------------------------------------------------------------


def test_copy_is_a_deep_identical_copy(regency_a, bnnk_a):
    original, _ = instrument_load_default()
    collection = make_collection(regency_a, instrument=original)
    questionnaire_create(collection=collection, group=original.groups.get(code="keluarga"), user=bnnk_a)
    assert original.is_locked  # last year's instrument is locked, and copying it is the point
    before = _row_counts()
    copy = instrument_copy(instrument=original, version="IKOTAN-2027.1", name="Instrumen IKOTAN 2027")
    assert copy.pk != original.pk
    assert copy.copied_from == original
    assert (copy.version, copy.name) == ("IKOTAN-2027.1", "Instrumen IKOTAN 2027")
    assert not copy.is_locked
    assert _structure(copy) == _structure(original)
    after = _row_counts()
    for model in ("RespondentGroup", "Variable", "Indicator", "Question", "Option", "EvidenceType"):
        assert after[model] == 2 * before[model], model
    assert after["question_groups"] == 2 * before["question_groups"]
    assert after["evidence_questions"] == 2 * before["evidence_questions"]
    # The copy's children point at the copy's own rows, never at the original's.
    q = copy.questions.get(code="KL1.1")
    assert {g.instrument_id for g in q.groups.all()} == {copy.pk}
    assert q.indicator.variable.instrument_id == copy.pk
    assert {e.instrument_id for e in q.evidence_types.all()} == {copy.pk}
    # Editing the copy leaves the original alone.
    copy.questions.filter(code="KK1.1").update(text="Baru")
    assert original.questions.get(code="KK1.1").text != "Baru"


def test_copy_refuses_a_taken_or_empty_version():
    original, _ = instrument_load_default()
    before = _row_counts()
    with pytest.raises(ServiceError) as exc:
        instrument_copy(instrument=original, version=DEFAULT_VERSION, name="x")
    assert "sudah ada" in exc.value.message
    with pytest.raises(ServiceError):
        instrument_copy(instrument=original, version="  ", name="x")
    with pytest.raises(ServiceError):
        instrument_copy(instrument=original, version="v" * 41, name="x")
    assert _row_counts() == before


def test_copy_version_suggestion_is_free():
    original, _ = instrument_load_default()
    assert copy_version_suggest(original) == f"{DEFAULT_VERSION}-salinan-1"
    instrument_copy(instrument=original, version=copy_version_suggest(original), name="a")
    assert copy_version_suggest(original) == f"{DEFAULT_VERSION}-salinan-2"


def test_to_data_query_count_does_not_grow_with_questions(django_assert_max_num_queries):
    original, _ = instrument_load_default()
    original = Instrument.objects.select_related("band_scheme").get(pk=original.pk)
    with django_assert_max_num_queries(10):
        instrument_to_data(original)
