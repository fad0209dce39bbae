"""The authentication backend: Django's ModelBackend, with the user of each logged-in request read by one
plain SQL statement (every autosave asks for request.user; compiling the ORM query cost more than it)."""

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from kotan import sql_rows

from .models import User


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        if not 0 < pk <= sql_rows.MAX_ID:
            return None
        with sql_rows.cursor() as cursor:
            cursor.execute(
                f"SELECT {sql_rows.columns(User, 'u')} FROM {User._meta.db_table} u WHERE u.id = %s",  # noqa: S608
                [pk],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        user = sql_rows.instance(User, row)
        return user if self.user_can_authenticate(user) else None
