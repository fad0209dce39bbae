# Score and Heartbeat, moved from the reports app (reports/migrations/0006_score_heartbeat_to_scoring.py).
# State only: the tables reports_score and reports_heartbeat (Meta.db_table) keep their rows, indexes
# and constraints; no SQL touches them. Their ContentType rows follow the models (app_label reports ->
# scoring), so the permissions and the admin log stay attached.

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("score", "heartbeat")


def relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor) -> None:
    relabel(apps, "reports", "scoring")


def backwards(apps, schema_editor) -> None:
    relabel(apps, "scoring", "reports")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("assessments", "0004_collections_for_participants"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("instruments", "0001_initial"),
        ("reports", "0006_score_heartbeat_to_scoring"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Heartbeat",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200, unique=True)),
                        ("at", models.DateTimeField()),
                        ("detail", models.JSONField(blank=True, default=dict)),
                    ],
                    options={
                        "verbose_name": "detak layanan",
                        "verbose_name_plural": "detak layanan",
                        "db_table": "reports_heartbeat",
                    },
                ),
                migrations.CreateModel(
                    name="Score",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("basis", models.CharField(choices=[("submitted", "Skor saat dikirim"), ("current", "Skor terkini")], max_length=10, verbose_name="dasar")),
                        ("overall", models.FloatField(verbose_name="indeks (0–100)")),
                        ("reported", models.FloatField(verbose_name="indeks pada skala skema")),
                        ("category", models.CharField(blank=True, max_length=60, verbose_name="kategori")),
                        ("variables", models.JSONField(default=dict, verbose_name="skor variabel")),
                        ("indicators", models.JSONField(default=dict, verbose_name="skor indikator")),
                        ("groups", models.JSONField(default=dict, verbose_name="responden per kelompok")),
                        ("quota_met", models.BooleanField(default=False, verbose_name="kuota terpenuhi")),
                        ("respondents", models.PositiveIntegerField(default=0, verbose_name="responden dihitung")),
                        ("input_hash", models.CharField(max_length=64)),
                        ("signature", models.CharField(blank=True, default="", max_length=64)),
                        ("computed_at", models.DateTimeField(verbose_name="dihitung pada")),
                        ("checked_at", models.DateTimeField(verbose_name="diperiksa pada")),
                        ("collection", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="scores", to="assessments.collection")),
                        ("instrument", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="instruments.instrument")),
                    ],
                    options={
                        "verbose_name": "skor",
                        "verbose_name_plural": "skor",
                        "db_table": "reports_score",
                        "indexes": [models.Index(fields=["instrument", "basis"], name="score_instrument_basis")],
                        "constraints": [
                            models.UniqueConstraint(fields=("collection", "instrument", "basis"), name="score_unique"),
                            models.CheckConstraint(condition=models.Q(("overall__gte", 0), ("overall__lte", 100)), name="score_overall_range"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
