from django.db import migrations


def create_role_groups(apps, schema_editor):
    from staff.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("staff", "0001_initial"),
        ("orders", "0002_initial"),
        ("chats", "0002_initial"),
        ("invitations", "0002_initial"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
