"""Fill the current demo period so every role meets work in progress (local demo only).

In Jawa Timur (the demo BNNP's province): Kota Malang (the demo BNNK's) is a draft with 120 of its
180 questionnaires complete, so its provisional score shows and it can be finished and submitted;
twelve kab/kota are submitted and wait for the BNNP; eight are verified. One of the submitted,
Kabupaten Pacitan, answered the Hukum questions much higher than last year, so its review page shows
the "moved more than 25 points since last year" flag. A few kab/kota of the other demo provinces are
submitted too. Questionnaires are synthetic ("Responden sintetis"), generated like
load_demo_history's, with the default instrument's quotas; a required evidence document is attached
to every submitted collection. Scores come from the real engine. Idempotent: a collection that
already has questionnaires is left as it is.

About a third of the submitted and verified kab/kota get some answers raised one level after their
first-submission snapshot (load_demo_history's corrections), written straight into the answer table:
no return and no answer history record them. Their submitted and current scores therefore differ (in
the demo database Kabupaten Ponorogo by +5.61), and the score card names that cause
(reports.score_changes: "N jawaban diubah ... Tanpa pengembalian tercatat; perubahan ini tidak ada di
riwayat jawaban.").
"""

from __future__ import annotations

import datetime

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessments.management.commands.load_demo_history import SEED as HISTORY_SEED
from assessments.management.commands.load_demo_history import YEARS_BACK, latent_strengths
from assessments.management.commands.load_demo_history import Command as History
from assessments.models import Collection, Evidence, Period, Questionnaire, ReviewEvent
from regions.models import Regency

SEED = 2027
DRAFT_PARTIAL = "3573"  # Kota Malang: the demo BNNK's own kab/kota, two thirds filled
SUBMITTED_IN_PROVINCE = 12
VERIFIED_IN_PROVINCE = 8
OTHER_SUBMITTED = ["1505", "1571", "5201", "5272", "9602"]  # in the other demo provinces
# One submitted kab/kota of Jawa Timur whose Hukum answers run much higher than last year's synthetic
# ones, so the BNNP's review page shows the "moved more than 25 points since last year" flag
# (assessments.quality.variable_jumps) in the demo too. JUMP_SHIFT is on the latent (logit) scale.
JUMP_REGENCY = "3501"  # Kabupaten Pacitan
JUMP_VARIABLE = "HK"
JUMP_SHIFT = 1.5
# A minimal valid one-page PDF, so evidence downloads open.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
    b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class Command(BaseCommand):
    help = "Fill the current demo period with synthetic questionnaires in several states (local demo only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for local development only; DEBUG is off.")
        period = Period.objects.filter(year=timezone.localdate().year).select_related("instrument").first()
        if period is None:
            raise CommandError("No demo period; run `python manage.py load_demo_survey` first.")
        plan = self._plan(period)
        todo = {
            c: state for c, state in plan.items() if not Questionnaire.objects.filter(collection=c).exists()
        }
        if not todo:
            self.stdout.write("Demo collections already filled.")
            return
        history = History()
        history.stdout = self.stdout
        rng = np.random.default_rng(SEED)
        regencies = list(Regency.objects.order_by("code").values_list("id", "province__code", "kind"))
        # The same lasting strengths as the synthetic history, a year further on, so the year-over-year
        # comparison and the "moved more than 25 points" flag stay believable.
        strengths = latent_strengths(regencies, np.random.default_rng(HISTORY_SEED))
        actor = self._actor()
        with transaction.atomic():
            rows = self._questionnaires(period, todo, rng)
            by_collection = {c.pk: strengths[c.regency_id] + 0.12 * YEARS_BACK for c in todo}
            shifts = {
                (c.pk, JUMP_VARIABLE): JUMP_SHIFT
                for c, state in todo.items()
                if c.regency.code == JUMP_REGENCY and state != Collection.State.DRAFT
            }
            initial, corrected = history._answers(period.instrument, rows, by_collection, rng, shifts)
            submitted = {c.pk for c, state in todo.items() if state != Collection.State.DRAFT}
            history._snapshots([r for r in initial if r[1] in submitted])
            # Drafts have no first submission: their answers are the initial ones.
            history._insert_answers([r for r in corrected if r[1] in submitted])
            history._insert_answers([r for r in initial if r[1] not in submitted])
            for collection, state in todo.items():
                if state != Collection.State.DRAFT:
                    self._submit(collection, state, actor)
        from reports.services import score_collections

        run = score_collections(period)
        self.stdout.write(
            f"Demo collections filled: {len(todo)} kab/kota, {len(corrected)} answers, {run.written} scores."
        )

    def _plan(self, period: Period) -> dict[Collection, str]:
        collections = {
            c.regency.code: c for c in period.collections.select_related("regency").order_by("regency__code")
        }
        plan: dict[Collection, str] = {}
        if DRAFT_PARTIAL in collections:
            plan[collections[DRAFT_PARTIAL]] = Collection.State.DRAFT
        east_java = [code for code in collections if code.startswith("35") and code != DRAFT_PARTIAL]
        for code in east_java[:SUBMITTED_IN_PROVINCE]:
            plan[collections[code]] = Collection.State.SUBMITTED
        for code in east_java[SUBMITTED_IN_PROVINCE : SUBMITTED_IN_PROVINCE + VERIFIED_IN_PROVINCE]:
            plan[collections[code]] = Collection.State.VERIFIED
        for code in OTHER_SUBMITTED:
            if code in collections:
                plan[collections[code]] = Collection.State.SUBMITTED
        return plan

    def _actor(self):
        from accounts.models import Role, User

        actor = User.objects.filter(role=Role.PUSAT).order_by("pk").first()
        if actor is None:
            raise CommandError("No BNN pusat user; run `python manage.py seed_demo` first.")
        return actor

    def _questionnaires(self, period: Period, todo: dict[Collection, str], rng) -> np.ndarray:
        groups = list(period.instrument.groups.order_by("order", "id"))
        now = timezone.now()
        made = []
        for collection, state in todo.items():
            share = 2 / 3 if state == Collection.State.DRAFT else 1.0
            for g in groups:
                for k in range(round(g.min_quota * share)):
                    when = now - datetime.timedelta(
                        days=int(rng.integers(2, 20)), minutes=int(rng.integers(0, 600))
                    )
                    made.append(
                        Questionnaire(
                            collection=collection,
                            group=g,
                            label=f"Responden sintetis {g.code}-{k + 1}",
                            filled_on=when.date(),
                            state=Questionnaire.State.COMPLETE,
                            created_at=when - datetime.timedelta(minutes=25),
                            completed_at=when,
                        )
                    )
        Questionnaire.objects.bulk_create(made, batch_size=2000)
        return np.array(
            list(
                Questionnaire.objects.filter(collection__in=list(todo))
                .order_by("id")
                .values_list("id", "collection_id", "group_id")
            ),
            dtype="int64",
        )

    def _submit(self, collection: Collection, state: str, actor) -> None:
        for evidence_type in collection.period.instrument.evidence_types.filter(required=True):
            evidence = Evidence(
                collection=collection,
                evidence_type=evidence_type,
                title=f"{evidence_type.name} (contoh sintetis)",
                original_name=f"{evidence_type.code}.pdf",
                content_type="application/pdf",
                size=len(PDF),
            )
            evidence.file.save(f"{evidence_type.code}.pdf", ContentFile(PDF), save=False)
            evidence.save()
            evidence.questions.set(evidence_type.questions.all())
        submitted_at = timezone.now() - datetime.timedelta(days=3)
        collection.state = state
        collection.submitted_at = submitted_at
        collection.save(update_fields=["state", "submitted_at", "updated_at"])
        ReviewEvent.objects.create(
            collection=collection, action=ReviewEvent.Action.SUBMITTED, round=1, actor=actor, at=submitted_at
        )
        if state == Collection.State.VERIFIED:
            ReviewEvent.objects.create(
                collection=collection,
                action=ReviewEvent.Action.VERIFIED,
                round=1,
                actor=actor,
                note="Data sintetis (demo).",
            )
