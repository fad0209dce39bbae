"""Create the demo users (local use only); running it again changes nothing that exists."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, create_demo_users


class Command(BaseCommand):
    help = "Create demo users for local development (refuses to run with DEBUG off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for local development only; DEBUG is off.")
        created = create_demo_users()
        if created:
            self.stdout.write("Demo users created (local use only):")
            for username in created:
                self.stdout.write(f"  {username:18} password: {DEMO_PASSWORD}")
        else:
            self.stdout.write("Demo users already exist; nothing changed.")
