"""Three earlier periods of synthetic, verified IKOTAN results for all 514 kab/kota (local demo only).

So a newcomer's dashboards have years to compare: for each of the three years before this one, a
period marked is_synthetic ("data sintetis") with every kab/kota as participant, a few generated
questionnaires per respondent group, a first-submission snapshot, some answers corrected after it
(so submitted and verified scores differ), collections verified (last year) or final (older), and
the scores computed by the real engine (scoring.services.score_collections).

The periods use a copy of the default instrument whose quotas are 2 per group, so two generated
questionnaires per group meet them and every kab/kota is ranked. Values come from a seeded generator:
each kab/kota has a lasting strength (its province's plus its own), improving a little each year,
and Ketahanan Keluarga runs higher than the other variables, as in the first national survey.
Idempotent: an existing period of one of those years is left as it is.
"""

from __future__ import annotations

import datetime

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from assessments.models import Answer, Collection, Period, Questionnaire, SubmissionSnapshot
from instruments.models import Instrument, Option, Question, RespondentGroup
from instruments.services import instrument_copy, instrument_load_default
from regions.models import Regency
from scoring import reliability_store
from scoring.ranks import store_rank_intervals
from scoring.services import score_collections

DEMO_VERSION = "IKOTAN-demo-sintetis"
DEMO_NAME = "Instrumen IKOTAN — salinan untuk data sintetis (kuota 2 per kelompok)"
PER_GROUP = 2  # questionnaires per respondent group, and the copy's quota
YEARS_BACK = 3
TARGETS = {3: 250, 2: 320, 1: 360}  # BNN's yearly target count, rising (2024 is missed)
SEED = 2026
# Variable offsets on the latent scale: families strongest, regulation and institutions weakest.
VARIABLE_OFFSET = {"KK": 0.75, "KM": 0.2, "KW": 0.0, "KL": -0.2, "HK": -0.35}


def demo_instrument() -> Instrument:
    """The copy of the default instrument with quotas of PER_GROUP (created once)."""
    existing = Instrument.objects.filter(version=DEMO_VERSION).first()
    if existing is not None:
        return existing
    default, _ = instrument_load_default()
    copy = instrument_copy(instrument=default, version=DEMO_VERSION, name=DEMO_NAME)
    copy.description = (
        "Dibuat oleh `manage.py load_demo_history` untuk periode data sintetis (demo): sama dengan "
        "instrumen bawaan, tetapi kuota setiap kelompok responden 2 kuesioner."
    )
    copy.save(update_fields=["description"])
    RespondentGroup.objects.filter(instrument=copy).update(min_quota=PER_GROUP)
    return copy


def latent_strengths(regencies: list[tuple[int, str, str]], rng: np.random.Generator) -> dict[int, float]:
    """A lasting strength per kab/kota: province effect + own effect (+ a little for a kota)."""
    provinces = sorted({p for _, p, _ in regencies})
    province_effect = dict(zip(provinces, rng.normal(0.0, 0.35, len(provinces)), strict=True))
    own = rng.normal(0.0, 0.45, len(regencies))
    return {
        rid: province_effect[p] + own[i] + (0.15 if kind == "kota" else 0.0)
        for i, (rid, p, kind) in enumerate(regencies)
    }


class Command(BaseCommand):
    help = (
        "Create three earlier periods of synthetic (is_synthetic, 'data sintetis'), verified results for "
        "every kab/kota, scored by the engine. Idempotent; refuses to run with DEBUG off."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for local development only; DEBUG is off.")
        regencies = list(Regency.objects.order_by("code").values_list("id", "province__code", "kind"))
        if not regencies:
            raise CommandError("No kab/kota found; run `python manage.py load_regions` first.")
        this_year = timezone.localdate().year
        todo = [
            this_year - back
            for back in range(YEARS_BACK, 0, -1)
            if not Period.objects.filter(year=this_year - back).exists()
        ]
        if not todo:
            self.stdout.write("Synthetic history already present (or those years hold real periods).")
            return
        instrument = demo_instrument()
        strengths = latent_strengths(regencies, np.random.default_rng(SEED))
        for year in todo:
            back = this_year - year
            started = timezone.now()
            with transaction.atomic():
                period = self._period(year, back, instrument, regencies)
                n_answers = self._collections(period, instrument, regencies, strengths, back)
            run = score_collections(period)
            ranked = store_rank_intervals(period)  # what the score tasks ask for on the site
            reliability_store.compute(period.pk)
            seconds = (timezone.now() - started).total_seconds()
            self.stdout.write(
                f"Synthetic period {year}: {len(regencies)} kab/kota, {n_answers} answers, "
                f"{run.written} scores, rank intervals {ranked} ({seconds:.1f} s)."
            )

    # --- building one period -----------------------------------------------------------------------

    def _period(self, year: int, back: int, instrument: Instrument, regencies) -> Period:
        period = Period.objects.create(
            year=year,
            name=f"IKOTAN {year} (data sintetis)",
            instrument=instrument,
            collection_opens=datetime.date(year, 10, 1),
            collection_deadline=datetime.date(year, 11, 30),
            verification_deadline=datetime.date(year, 12, 20),
            target_count=TARGETS.get(back, 150),
            is_synthetic=True,
        )
        period.participants.set([rid for rid, _, _ in regencies])
        return period

    def _collections(self, period: Period, instrument: Instrument, regencies, strengths, back: int) -> int:
        rng = np.random.default_rng(SEED + period.year)
        state = Collection.State.VERIFIED if back == 1 else Collection.State.FINAL
        submitted_at = timezone.make_aware(datetime.datetime(period.year, 11, 25, 10, 0))
        # Setting the participants made draft collections (_period): give them their history.
        Collection.objects.filter(period=period).update(
            state=state, submitted_at=submitted_at, review_round=1
        )
        collections = dict(Collection.objects.filter(period=period).values_list("regency_id", "id"))
        groups = list(RespondentGroup.objects.filter(instrument=instrument).order_by("order", "id"))
        completed = timezone.make_aware(datetime.datetime(period.year, 11, 15, 9, 0))
        Questionnaire.objects.bulk_create(
            (
                Questionnaire(
                    collection_id=collections[rid],
                    group=g,
                    label=f"Responden sintetis {g.code}-{k + 1}",
                    filled_on=completed.date(),
                    state=Questionnaire.State.COMPLETE,
                    created_at=completed,
                    completed_at=completed,
                )
                for rid, _, _ in regencies
                for g in groups
                for k in range(PER_GROUP)
            ),
            batch_size=2000,
        )
        questionnaires = np.array(
            list(
                Questionnaire.objects.filter(collection__period=period)
                .order_by("id")
                .values_list("id", "collection_id", "group_id")
            ),
            dtype="int64",
        )
        # The kab/kota's strength this year: lasting strength + a yearly improvement + noise.
        by_collection = {
            collections[rid]: strengths[rid] + 0.12 * (YEARS_BACK - back) + rng.normal(0.0, 0.15)
            for rid, _, _ in regencies
        }
        initial, corrected = self._answers(instrument, questionnaires, by_collection, rng)
        self._snapshots(initial)
        self._insert_answers(corrected)
        return len(corrected)

    def _insert_answers(self, rows) -> None:
        """Plain executemany: building 336,000 model instances for bulk_create took ~20 of the ~25
        seconds this command needs (no history rows either way, as with bulk_create)."""
        table = connection.ops.quote_name(Answer._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        # The table name is the model's own, quoted; every value is a bound parameter.
        sql = (
            f"INSERT INTO {table} (questionnaire_id, question_id, value, version, updated_at) "  # noqa: S608
            "VALUES (%s, %s, %s, 1, %s)"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 20000):
                cursor.executemany(sql, [(qn, q, v, now) for qn, _c, _g, q, v in rows[start : start + 20000]])

    def _answers(self, instrument, questionnaires, by_collection, rng, shifts=None):
        """(initial, corrected) answer rows [questionnaire, collection, group, question, value]: every
        question asked of the questionnaire's group; ~a third of the kab/kota corrected some answers
        upward after submitting (what the BNNP's comments usually bring). `shifts` maps
        (collection id, variable code) to an extra on the latent scale for that variable's questions
        (no random draws, so every other answer stays as it would be without it)."""
        questions = list(
            Question.objects.filter(instrument=instrument)
            .order_by("id")
            .values_list("id", "indicator_id", "indicator__variable__code")
        )
        asked: dict[int, list[int]] = {}
        for q_id, g_id in Question.groups.through.objects.filter(question__instrument=instrument).values_list(
            "question_id", "respondentgroup_id"
        ):
            asked.setdefault(g_id, []).append(q_id)
        options: dict[int, list[float]] = {}
        for q_id, value in (
            Option.objects.filter(question__instrument=instrument)
            .order_by("question_id", "score", "value")
            .values_list("question_id", "value")
        ):
            options.setdefault(q_id, []).append(value)
        indicator_ids = sorted({i for _, i, _ in questions})
        indicator_offset = dict(zip(indicator_ids, rng.normal(0.0, 0.3, len(indicator_ids)), strict=True))
        q_offset = {
            q: VARIABLE_OFFSET.get(v, 0.0) + indicator_offset[i] + rng.normal(0.0, 0.15)
            for q, i, v in questions
        }
        corrects = {c for c in by_collection if rng.random() < 0.35}

        parts_initial, parts_corrected = [], []
        for g_id, q_ids in asked.items():
            rows = questionnaires[questionnaires[:, 2] == g_id]
            if not len(rows) or not q_ids:
                continue
            q_arr = np.array(q_ids)
            n_opt = np.array([len(options[q]) for q in q_ids])
            table = np.full((len(q_ids), n_opt.max()), np.nan)
            for j, q in enumerate(q_ids):
                table[j, : len(options[q])] = options[q]
            strength = np.array([by_collection[c] for c in rows[:, 1]])
            logit = strength[:, None] + np.array([q_offset[q] for q in q_ids])[None, :]
            logit = logit + rng.normal(0.0, 0.6, logit.shape)
            if shifts:
                variable_of = {q: v for q, _i, v in questions}
                logit = logit + np.array(
                    [[shifts.get((c, variable_of[q]), 0.0) for q in q_ids] for c in rows[:, 1].tolist()]
                )
            p = 1.0 / (1.0 + np.exp(-(logit + 0.35)))
            level = rng.binomial(np.broadcast_to(n_opt - 1, p.shape), p)
            fixed = np.isin(rows[:, 1], list(corrects))[:, None] & (rng.random(p.shape) < 0.2)
            level_after = np.minimum(level + fixed, n_opt[None, :] - 1)
            cols = np.broadcast_to(np.arange(len(q_ids)), p.shape)
            grid = np.column_stack(
                [
                    np.repeat(rows[:, 0], len(q_ids)),
                    np.repeat(rows[:, 1], len(q_ids)),
                    np.repeat(rows[:, 2], len(q_ids)),
                    np.tile(q_arr, len(rows)),
                ]
            )
            parts_initial.append((grid, table[cols, level].ravel()))
            parts_corrected.append((grid, table[cols, level_after].ravel()))

        def rows_of(parts):
            return [
                (*map(int, g), float(v)) for grid, values in parts for g, v in zip(grid, values, strict=True)
            ]

        return rows_of(parts_initial), rows_of(parts_corrected)

    def _snapshots(self, initial) -> None:
        """The first submission of every collection: the answers before the corrections."""
        by_collection: dict[int, list] = {}
        for qn, c, g, q, v in initial:
            by_collection.setdefault(c, []).append([qn, g, q, v])
        SubmissionSnapshot.objects.bulk_create(
            (SubmissionSnapshot(collection_id=c, round=1, rows=rows) for c, rows in by_collection.items()),
            batch_size=200,
        )
