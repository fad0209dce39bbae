"""A demo period for the current year with the demo users' provinces as participants (local use only)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments.models import Period
from assessments.services import period_ensure_collections
from instruments.services import instrument_load_default
from regions.models import Regency

# The demo users' kab/kota (3573 Kota Malang, 1504 Batanghari, 5271 Kota Mataram, 9601 Sorong) and
# every other kab/kota of their provinces, so BNNP demo users see a whole province.
DEMO_PROVINCES = ["35", "15", "52", "96"]


class Command(BaseCommand):
    help = (
        "Create the demo period of the current year (open since 30 days, deadline in 30 days) using the "
        "default instrument, with the demo provinces' kab/kota as participants. Idempotent; refuses to run "
        "with DEBUG off."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for local development only; DEBUG is off.")
        regencies = list(Regency.objects.filter(province__code__in=DEMO_PROVINCES))
        if not regencies:
            raise CommandError("No kab/kota found; run `python manage.py load_regions` first.")
        instrument, _ = instrument_load_default()
        today = timezone.localdate()
        deadline = today + datetime.timedelta(days=30)
        period, created = Period.objects.get_or_create(
            year=today.year,
            defaults={
                "name": f"IKOTAN {today.year} (demo)",
                "instrument": instrument,
                "collection_opens": today - datetime.timedelta(days=30),
                "collection_deadline": deadline,
                "verification_deadline": deadline + datetime.timedelta(days=14),
                "target_count": 60,
            },
        )
        # An existing period of this year keeps its dates and instrument; only missing participants
        # and their collections are added.
        before = period.collections.count()
        period.participants.add(*regencies)  # their collections come with them
        period_ensure_collections(period=period)  # and any an older run left missing
        new_collections = period.collections.count() - before
        verb = "created" if created else "already exists"
        self.stdout.write(
            f"Demo period {period.year} {verb} ({period.participants.count()} kab/kota, "
            f"{new_collections} collections created)."
        )
