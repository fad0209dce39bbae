"""Data: every participant of an existing period gets its collection (pages no longer create them)."""

from django.db import migrations


def create_missing(apps, schema_editor):
    Period = apps.get_model("assessments", "Period")
    Collection = apps.get_model("assessments", "Collection")
    for period in Period.objects.all():
        existing = set(Collection.objects.filter(period=period).values_list("regency_id", flat=True))
        missing = [
            Collection(period=period, regency_id=rid)
            for rid in period.participants.values_list("id", flat=True)
            if rid not in existing
        ]
        Collection.objects.bulk_create(missing, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_snapshot")]

    operations = [migrations.RunPython(create_missing, migrations.RunPython.noop)]
