"""Load the shipped band schemes and the default IKOTAN instrument; running it again changes nothing."""

from django.core.management.base import BaseCommand

from instruments.services import band_schemes_ensure, instrument_load_default


class Command(BaseCommand):
    help = (
        "Create the three shipped band schemes and the default IKOTAN instrument version if missing "
        "(idempotent; an existing instrument, locked or not, is never modified)."
    )

    def handle(self, *args, **options):
        schemes = band_schemes_ensure()
        instrument, created = instrument_load_default()
        if schemes:
            self.stdout.write(f"Band schemes created: {', '.join(schemes)}")
        questions = instrument.questions.count()
        if created:
            self.stdout.write(f"Instrument {instrument.version} created ({questions} questions).")
        else:
            locked = " (locked)" if instrument.is_locked else ""
            self.stdout.write(f"Instrument {instrument.version} already exists{locked}; nothing changed.")
