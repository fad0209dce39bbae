"""Data migration: the admin group "BNN pusat" with its permissions, and the existing users placed by role.

The permissions are created here (create_permissions, inside pusat_group_sync): Django creates them only
in its post_migrate handler, after this migration. BNN pusat users become staff and join the group; other
roles (superusers aside) lose staff status. Reversing leaves the group and users as they are.
"""

from django.db import migrations

from accounts.staff import pusat_group_sync


def forwards(apps, schema_editor):
    using = schema_editor.connection.alias
    group = pusat_group_sync(apps, using)
    user_model = apps.get_model("accounts", "User")
    users = user_model.objects.using(using)
    users.filter(role="pusat").update(is_staff=True)
    users.exclude(role="pusat").filter(is_superuser=False).update(is_staff=False)
    group.user_set.add(*users.filter(role="pusat"))
    group.user_set.remove(*users.exclude(role="pusat"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("assessments", "0003_snapshot"),
        ("regions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
