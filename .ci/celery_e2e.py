"""End-to-end checks through a real Celery worker: each check sends work and waits (bounded) for it."""

import os
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")
django.setup()

from kotan.celery import ping  # noqa: E402


def check_ping() -> None:
    result = ping.delay()
    value = result.get(timeout=300)  # the worker may still be starting (minutes on a loaded machine)
    assert value == "pong", value
    print("ping through the worker: ok")


def _wait(what: str, probe, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def check_score() -> None:
    """A BNNK fills and submits; the worker (via Redis, debounced) stores the score the engine gives;
    removed, it comes back through the beat sweep."""
    from accounts.models import Role, User
    from assessments import services, snapshots, workflow
    from assessments.autosave import writes
    from assessments.models import Evidence
    from regions.models import Regency
    from scoring import engine, inputs
    from scoring.models import Score
    from tests.factories import group, make_collection, make_period, question

    regency = Regency.objects.get(code="3573")
    user = User.objects.create_user("e2e_bnnk", role=Role.BNNK, regency=regency)
    period = make_period(regencies=[regency], year=2031)
    inst = period.instrument
    collection = make_collection(regency, period)
    fills = [
        ("keluarga", {"q_likert": "5", "q_yesno": "1", "q_choice": "3"}),
        ("keluarga", {"q_likert": "2", "q_yesno": "0"}),
        ("instansi", {"q_likert": "4", "q_number": "7", "q_likert2": "2"}),
    ]
    for code, answers in fills:
        q = services.questionnaire_create(collection=collection, group=group(inst, code), user=user)
        for qcode, raw in answers.items():
            writes.questionnaire_save_answer(
                questionnaire=q, question=question(inst, qcode), raw_value=raw, base_version=0, user=user
            )
        services.questionnaire_complete(questionnaire=q, user=user)
    evidence = Evidence.objects.create(
        collection=collection,
        evidence_type=inst.evidence_types.get(code="sk"),
        title="SK",
        file="x",
        original_name="sk.pdf",
        content_type="application/pdf",
        size=10,
    )
    evidence.questions.set([question(inst, "q_yesno")])
    workflow.collection_submit(collection=collection, user=user)

    data = inputs.instrument_data(inst)
    expected = engine.score(snapshots.live_answers(period.pk, [collection.pk]), data.frames).overall
    want = float(expected.loc[collection.pk, "overall"])

    def stored():
        rows = {s.basis: s for s in Score.objects.filter(collection=collection)}
        return rows if len(rows) == 2 else None

    rows = _wait("the submitted collection's scores", stored, 600)
    for basis, score in rows.items():
        assert abs(score.overall - want) < 1e-9, (basis, score.overall, want)
    print(f"score through the worker: ok ({want:.4f}, {rows['current'].category})")

    Score.objects.filter(collection=collection).delete()
    rows = _wait("the beat sweep to restore the scores", stored, 600)
    assert abs(rows["current"].overall - want) < 1e-9
    print("score restored by the beat sweep: ok")


CHECKS = [check_ping, check_score]

if __name__ == "__main__":
    started = time.monotonic()
    for check in CHECKS:
        check()
    print(f"celery e2e: {len(CHECKS)} passed, 0 failed in {time.monotonic() - started:.1f}s")
    sys.exit(0)
