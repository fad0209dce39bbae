# Score and Heartbeat moved to the scoring app (scoring/migrations/0001_initial.py). State only: their
# tables (reports_score, reports_heartbeat) keep their names, rows, indexes and constraints.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_score_instrument_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Heartbeat"),
                migrations.DeleteModel(name="Score"),
            ],
            database_operations=[],
        ),
    ]
