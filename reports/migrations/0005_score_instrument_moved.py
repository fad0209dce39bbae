"""Score.instrument points at instruments.Instrument (same table): state only, see instruments 0001."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0001_initial"),
        ("reports", "0004_render_request"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[                migrations.AlterField(
                    model_name='score',
                    name='instrument',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='instruments.instrument'),
                ),
            ],
        ),
    ]
