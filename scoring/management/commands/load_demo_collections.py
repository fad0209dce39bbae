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

Where a submitted score differs from the current one, it does so the way the workflow makes it differ,
so the score card names recorded causes (reports.score_changes):

- CORRECTED kab/kota (Ponorogo, Tulungagung and Banyuwangi wait for the BNNP again; Pasuruan and
  Nganjuk are verified): submitted yesterday (the first-submission snapshot), returned today by the
  province's BNNP with a short comment on each of three or four questionnaires
  (workflow.collection_return: a RETURNED event of round 1, round 2 begins), a few answers on those
  questionnaires corrected by the kab/kota's BNNK (6 to 12 in all, one option level, mostly up) through
  autosave's questionnaire_save_answer, so each change has its answer-history row, a reply to the first
  comment (workflow.comment_reply), then sent again (workflow.collection_submit: round 2 event and
  snapshot) and, for the verified two, verified (workflow.collection_verify). A handful of answers
  among 180 questionnaires moves the index by a few hundredths; the score card says "N jawaban diubah
  pada M kuesioner setelah dikirim ... Setelah dikembalikan 1 kali (...)".
- EXCLUDED_IN, Kabupaten Mojokerto (verified): two extra Keluarga questionnaires, filled in a minute
  with the top answer everywhere, were sent and then excluded by the BNNP with the reason
  EXCLUSION_REASON (workflow.questionnaire_exclude); the quota is met without them. The score card says
  "2 kuesioner dikecualikan BNNP" with that reason.
- Every other collection's current answers are those it sent: no difference.

The demo has no BNNK account for those kab/kota, and the save and submit services accept only the
kab/kota's own BNNK, so one is created for each (username bnnk.<code>, "Petugas BNNK <name>", no usable
password and no e-mail address: nobody logs in as it). The first submission is still written directly
(most kab/kota have no such account; the pusat user is then the event's actor): state, time, event of
round 1 and snapshot, as workflow.collection_submit writes them. The return, the corrections, the
second submission, the exclusions and every verification go through the real functions, so their
events, comments, notifications and history rows are the ones the pages read (their console e-mails
are kept out of setup's output). The demo's questionnaires are bulk-created without history rows, so
before the return the questionnaires to be corrected get the rows their entry by the BNNK writes: the
questionnaire's "+" row at its creation and each answer's first save ("+", as simple-history writes
it) at its completion; the review page's "changes since the return" finds answers through those rows and
shows the value each correction replaced. load_demo_history's second answer list (answers raised after
the snapshot, with no record) is not used here; its synthetic years keep theirs.
"""

from __future__ import annotations

import contextlib
import datetime
import io

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from assessments import workflow
from assessments.autosave.writes import questionnaire_save_answer
from assessments.models import (
    Answer,
    Collection,
    Evidence,
    Period,
    Questionnaire,
    ReviewComment,
    ReviewEvent,
    SubmissionSnapshot,
)
from instruments.models import Option, Question
from kotan.lib.service_errors import ServiceError
from regions.models import Regency
from scoring import reliability_store
from scoring.management.commands.load_demo_history import SEED as HISTORY_SEED
from scoring.management.commands.load_demo_history import YEARS_BACK, latent_strengths
from scoring.management.commands.load_demo_history import Command as History
from scoring.ranks import store_rank_intervals
from scoring.services import score_collections

SEED = 2027
DRAFT_PARTIAL = "3573"  # Kota Malang: the demo BNNK's own kab/kota, two thirds filled
SUBMITTED_IN_PROVINCE = 12
VERIFIED_IN_PROVINCE = 8
OTHER_SUBMITTED = ["1505", "1571", "5201", "5272", "9602"]  # in the other demo provinces
# One submitted kab/kota of Jawa Timur whose Hukum answers run much higher than last year's synthetic
# ones, so the BNNP's review page shows the "moved more than 25 points since last year" flag
# (assessments.review.quality.variable_jumps) in the demo too. JUMP_SHIFT is on the latent (logit) scale.
JUMP_REGENCY = "3501"  # Kabupaten Pacitan
JUMP_VARIABLE = "HK"
JUMP_SHIFT = 1.5
# Returned by the BNNP, a few answers corrected, sent again: Ponorogo, Tulungagung, Banyuwangi (waiting
# for the BNNP again), Pasuruan and Nganjuk (verified after the correction).
CORRECTED = ("3502", "3504", "3510", "3514", "3518")
CORRECTED_QUESTIONNAIRES = (3, 5)  # per kab/kota, numpy's half-open range
CORRECTED_ANSWERS = (2, 4)  # per questionnaire
RETURN_COMMENTS = (
    "Jawaban %s tidak sesuai dengan catatan wawancara; mohon diperiksa kembali.",
    "Mohon cek ulang jawaban %s dengan responden: tampaknya salah entri.",
    "Jawaban %s bertentangan dengan dokumen pendukung yang dilampirkan.",
)
RETURN_NOTE = "Beberapa jawaban perlu dicek ulang; lihat komentar per kuesioner."
REPLY = "Sudah kami konfirmasi ulang dengan responden dan jawabannya kami perbaiki."
VERIFY_NOTE = "Kuota dan dokumen bukti lengkap; data wajar."
# A verified kab/kota whose BNNK sent two extra Keluarga questionnaires, filled in a minute with the top
# answer everywhere; the BNNP excluded both.
EXCLUDED_IN = "3516"  # Kabupaten Mojokerto
EXCLUDED_GROUP = "keluarga"
EXCLUDED_COUNT = 2
EXCLUSION_REASON = (
    "Diisi dalam satu menit dan semua jawaban bernilai tertinggi; responden tidak diwawancarai langsung."
)
FIRST_SUBMITTED_AGO = datetime.timedelta(days=1)  # after every questionnaire's completion (2-20 days ago)
# A minimal valid one-page PDF, so evidence downloads open.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
    b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def corrections(
    rows, options: dict[int, list[float]], rng: np.random.Generator
) -> list[tuple[int, int, float]]:
    """(questionnaire, question, new value) of what a BNNK corrects after a return: a few answers on a
    few questionnaires, none on the top option, each moved one option level (up, or down for about a
    quarter of those that can go down). `rows`: one collection's answer rows [questionnaire, collection,
    group, question, value]; `options`: question -> its option values ordered by score."""
    by_questionnaire: dict[int, list[tuple[int, float]]] = {}
    for qn, _c, _g, q, v in rows:
        if v in options.get(q, ())[:-1]:
            by_questionnaire.setdefault(qn, []).append((q, v))
    size = int(rng.integers(*CORRECTED_QUESTIONNAIRES))
    chosen = rng.choice(sorted(by_questionnaire), size=size, replace=False)
    out = []
    for qn in sorted(chosen.tolist()):
        answers = by_questionnaire[qn]
        picked = rng.choice(len(answers), size=int(rng.integers(*CORRECTED_ANSWERS)), replace=False)
        for i in sorted(picked.tolist()):
            q, v = answers[i]
            values = options[q]
            level = values.index(v)
            down = level > 0 and rng.random() < 0.25
            out.append((qn, q, values[level - 1 if down else level + 1]))
    return out


def option_values(instrument) -> dict[int, list[float]]:
    """Question id -> its option values ordered by score (as load_demo_history generates answers)."""
    options: dict[int, list[float]] = {}
    for q_id, value in (
        Option.objects.filter(question__instrument=instrument)
        .order_by("question_id", "score", "value")
        .values_list("question_id", "value")
    ):
        options.setdefault(q_id, []).append(value)
    return options


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
        actor, reviewers = self._actor(), self._reviewers(todo)
        sent_at = timezone.now() - FIRST_SUBMITTED_AGO
        try:
            # The review steps notify and e-mail as they do on the site, partly after the commit; in
            # development the e-mails go to the console, and setup's output need not hold them (the
            # in-app notifications stay). self.stdout keeps the console it was given.
            with contextlib.redirect_stdout(io.StringIO()), transaction.atomic():
                answers, excluded = self._fill(period, todo, sent_at)
                staff = self._submit_all(todo, actor, sent_at)
                self._review(period, todo, answers, excluded, reviewers, staff)
        except ServiceError as exc:  # e.g. the demo period's dates no longer allow a correction
            raise CommandError(f"A review step of the demo was refused: {exc.message}") from exc
        run = score_collections(period)
        store_rank_intervals(period)  # what the score tasks ask for on the site
        reliability_store.compute(period.pk)
        self.stdout.write(
            f"Demo collections filled: {len(todo)} kab/kota, {len(answers)} answers, {len(staff)} returned "
            f"and corrected, {len(excluded)} questionnaires excluded, {run.written} scores."
        )

    def _plan(self, period: Period) -> dict[Collection, str]:
        collections = {
            c.regency.code: c
            for c in period.collections.select_related("regency__province").order_by("regency__code")
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

    def _actor(self) -> User:
        actor = User.objects.filter(role=Role.PUSAT).order_by("pk").first()
        if actor is None:
            raise CommandError("No BNN pusat user; run `python manage.py seed_demo` first.")
        return actor

    def _reviewers(self, todo: dict[Collection, str]) -> dict[int, User]:
        """Province id -> the BNNP who returns, excludes and verifies there (where the demo needs one)."""
        provinces = {
            c.regency.province_id: c.regency.province
            for c, state in todo.items()
            if state == Collection.State.VERIFIED or c.regency.code in (*CORRECTED, EXCLUDED_IN)
        }
        found = {}
        for province_id, province in provinces.items():
            user = User.objects.filter(role=Role.BNNP, province_id=province_id, is_active=True).order_by("pk")
            found[province_id] = user.first()
            if found[province_id] is None:
                raise CommandError(
                    f"No BNNP user for {province.name}; run `python manage.py seed_demo` first."
                )
        return found

    def _staff(self, regency: Regency) -> User:
        """The kab/kota's BNNK account that corrects and sends again (created once; cannot log in)."""
        user, created = User.objects.get_or_create(
            username=f"bnnk.{regency.code}",
            defaults={
                "first_name": "Petugas",
                "last_name": f"BNNK {regency.name}",
                "role": Role.BNNK,
                "regency": regency,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    # --- questionnaires and answers, as sent the first time ---------------------------------------------

    def _fill(self, period: Period, todo: dict[Collection, str], sent_at) -> tuple[list, list[int]]:
        """Questionnaires, their answers and the first-submission snapshots; returns the answer rows and
        the ids of the questionnaires the BNNP will exclude."""
        history = History()
        history.stdout = self.stdout
        rng = np.random.default_rng(SEED)
        regencies = list(Regency.objects.order_by("code").values_list("id", "province__code", "kind"))
        # The same lasting strengths as the synthetic history, a year further on, so the year-over-year
        # comparison and the "moved more than 25 points" flag stay believable.
        strengths = latent_strengths(regencies, np.random.default_rng(HISTORY_SEED))
        rows = self._questionnaires(period, todo, rng)
        by_collection = {c.pk: strengths[c.regency_id] + 0.12 * YEARS_BACK for c in todo}
        shifts = {
            (c.pk, JUMP_VARIABLE): JUMP_SHIFT
            for c, state in todo.items()
            if c.regency.code == JUMP_REGENCY and state != Collection.State.DRAFT
        }
        # load_demo_history's second list (answers raised after submitting) is not used: here a
        # difference only comes from the review steps below. The draws stay the same either way.
        answers, _raised = history._answers(period.instrument, rows, by_collection, rng, shifts)
        extra, excluded = self._to_exclude(period, todo)
        answers += extra
        sent = {c.pk for c, state in todo.items() if state != Collection.State.DRAFT}
        history._snapshots([r for r in answers if r[1] in sent])
        SubmissionSnapshot.objects.filter(collection_id__in=sent).update(taken_at=sent_at)
        history._insert_answers(answers)
        return answers, excluded

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

    def _to_exclude(self, period: Period, todo: dict[Collection, str]) -> tuple[list, list[int]]:
        """EXCLUDED_IN's extra questionnaires beyond the quota, completed in a minute with the top option
        of every question asked (no random draw): their answer rows and ids."""
        collection = next(
            (c for c, s in todo.items() if c.regency.code == EXCLUDED_IN and s != Collection.State.DRAFT),
            None,
        )
        if collection is None:
            return [], []
        group = period.instrument.groups.get(code=EXCLUDED_GROUP)
        done = timezone.now() - datetime.timedelta(days=2, hours=3)
        made = Questionnaire.objects.bulk_create(
            Questionnaire(
                collection=collection,
                group=group,
                label=f"Responden sintetis {group.code}-{group.min_quota + k + 1}",
                filled_on=done.date(),
                state=Questionnaire.State.COMPLETE,
                created_at=finished - datetime.timedelta(seconds=60),
                completed_at=finished,
            )
            for k in range(EXCLUDED_COUNT)
            for finished in [done + datetime.timedelta(minutes=3 * k)]
        )
        top = {q: values[-1] for q, values in option_values(period.instrument).items()}
        asked = Question.objects.filter(instrument=period.instrument, groups=group).order_by("id")
        asked_ids = list(asked.values_list("id", flat=True))
        rows = [(qn.pk, collection.pk, group.pk, q, top[q]) for qn in made for q in asked_ids]
        return rows, [qn.pk for qn in made]

    # --- the workflow ------------------------------------------------------------------------------------

    def _submit_all(self, todo: dict[Collection, str], actor: User, sent_at) -> dict[int, User]:
        """The first submission of every non-draft collection; returns collection id -> the BNNK account
        of each CORRECTED kab/kota (which sent it)."""
        staff = {}
        for collection, state in todo.items():
            if state == Collection.State.DRAFT:
                continue
            if collection.regency.code in CORRECTED:
                staff[collection.pk] = self._staff(collection.regency)
            self._submit(collection, sent_at, staff.get(collection.pk), actor)
        return staff

    def _submit(self, collection: Collection, submitted_at, sender: User | None, actor: User) -> None:
        """What workflow.collection_submit writes (the snapshot is written by _fill), at `submitted_at`:
        most demo kab/kota have no BNNK account, so the event's actor is then the BNN pusat user."""
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
        collection.state = Collection.State.SUBMITTED
        collection.submitted_at = submitted_at
        collection.submitted_by = sender
        collection._history_user = sender
        collection._history_date = submitted_at
        collection.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
        ReviewEvent.objects.create(
            collection=collection,
            action=ReviewEvent.Action.SUBMITTED,
            round=1,
            actor=sender or actor,
            at=submitted_at,
        )

    def _review(self, period, todo, answers, excluded, reviewers, staff) -> None:
        """The BNNP's review of the demo: returns with corrections, exclusions, verifications."""
        rows_of: dict[int, list] = {}
        for row in answers:
            rows_of.setdefault(row[1], []).append(row)
        options = option_values(period.instrument)
        rng = np.random.default_rng(SEED + 1)
        for collection, state in todo.items():
            reviewer = reviewers.get(collection.regency.province_id)
            if collection.pk in staff:
                changes = corrections(rows_of[collection.pk], options, rng)
                self._return_and_correct(collection, changes, reviewer, staff[collection.pk])
            if collection.regency.code == EXCLUDED_IN:
                for questionnaire in Questionnaire.objects.filter(pk__in=excluded).order_by("pk"):
                    workflow.questionnaire_exclude(
                        questionnaire=questionnaire, user=reviewer, reason=EXCLUSION_REASON
                    )
            if state == Collection.State.VERIFIED:
                workflow.collection_verify(collection=collection, user=reviewer, note=VERIFY_NOTE)

    def _return_and_correct(self, collection: Collection, changes, reviewer: User, bnnk: User) -> None:
        """Returned with a comment per questionnaire to check, corrected answer by answer, sent again."""
        targets = sorted({qn for qn, _q, _v in changes})
        self._entry_history(targets, bnnk)
        codes = dict(Question.objects.filter(pk__in={q for _qn, q, _v in changes}).values_list("pk", "code"))
        questionnaires = Questionnaire.objects.in_bulk(targets)
        comments = [
            {
                "target": ReviewComment.Target.QUESTIONNAIRE,
                "questionnaire": questionnaires[qn],
                "text": RETURN_COMMENTS[i % len(RETURN_COMMENTS)]
                % ", ".join(codes[q] for on, q, _v in changes if on == qn),
            }
            for i, qn in enumerate(targets)
        ]
        workflow.collection_return(collection=collection, user=reviewer, comments=comments, note=RETURN_NOTE)
        # Loaded again: the services read the collection's state and round as the return left them.
        returned = Questionnaire.objects.select_related("collection__period", "collection__regency", "group")
        questionnaires = returned.in_bulk(targets)
        questions = Question.objects.in_bulk({q for _qn, q, _v in changes})
        for qn, q, value in changes:
            questionnaire_save_answer(
                questionnaire=questionnaires[qn],
                question=questions[q],
                raw_value=value,
                base_version=1,
                user=bnnk,
            )
        first = (
            ReviewComment.objects.filter(collection=collection, parent__isnull=True).order_by("pk").first()
        )
        workflow.comment_reply(comment=first, user=bnnk, text=REPLY)
        workflow.collection_submit(collection=collection, user=bnnk)

    def _entry_history(self, questionnaire_ids: list[int], bnnk: User) -> None:
        """The history rows the BNNK's entry of these questionnaires writes: the questionnaire's "+" row
        at its creation and each answer's first save ("+") at the questionnaire's completion, written by
        simple-history itself. The review page's changes since the return find answers through the
        questionnaires' history and show the value each correction replaced."""
        questionnaires = list(Questionnaire.objects.filter(pk__in=questionnaire_ids).order_by("pk"))
        for questionnaire in questionnaires:
            questionnaire.entered_by = bnnk
            questionnaire._history_date = questionnaire.created_at
        Questionnaire.objects.bulk_update(questionnaires, ["entered_by"])
        Questionnaire.history.bulk_history_create(questionnaires, default_user=bnnk)
        completed = {q.pk: q.completed_at for q in questionnaires}
        answers = list(Answer.objects.filter(questionnaire_id__in=questionnaire_ids).order_by("pk"))
        for answer in answers:
            answer.updated_by = bnnk
            answer._history_date = completed[answer.questionnaire_id]
        Answer.objects.bulk_update(answers, ["updated_by"])
        Answer.history.bulk_history_create(answers, default_user=bnnk)
