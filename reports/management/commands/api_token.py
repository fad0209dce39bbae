"""Create, list or revoke personal API tokens (reports.api)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from reports.api import api_token_create
from reports.models import ApiToken


class Command(BaseCommand):
    help = (
        "API tokens: `create <username> [--name N]` prints a new token once; `list [username]`; "
        "`revoke <prefix>`."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument(
            "target", nargs="?", default="", help="username (create, list) or token prefix (revoke)"
        )
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, action, target, name, **options):
        if action == "create":
            try:
                user = User.objects.get(username=target)
            except User.DoesNotExist:
                raise CommandError(f"Pengguna {target!r} tidak ditemukan.") from None
            _obj, token = api_token_create(user=user, name=name)
            self.stdout.write(token)
            self.stderr.write("Simpan token ini sekarang: token tidak dapat ditampilkan lagi.")
        elif action == "list":
            tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
            if target:
                tokens = tokens.filter(user__username=target)
            for t in tokens:
                state = "dicabut" if t.revoked_at else "aktif"
                self.stdout.write(
                    f"{t.prefix}…  {t.user.username}  {t.name or '-'}  {state}  {t.last_used_at or '-'}"
                )
        else:
            count = ApiToken.objects.filter(prefix=target, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            if not count:
                raise CommandError(f"Tidak ada token aktif berawalan {target!r}.")
            self.stdout.write(f"{count} token dicabut.")
