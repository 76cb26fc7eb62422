"""The role groups and their global permissions (staff.roles.ROLE_PERMISSIONS).

It lives in the top app because the roles hold permissions of every app: it runs once all their
tables (and so their permissions) exist.
"""

from django.db import migrations

from staff.roles import sync_role_groups


def create_role_groups(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("staff", "0001_initial"),
        ("compliance", "0001_initial"),
        ("chats", "0001_initial"),
        ("invitations", "0001_initial"),
        ("orders", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
