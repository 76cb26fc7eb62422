"""The person behind a join request (normalised names), for duplicates: once per person and link.

Existing requests get their key; where one person already asked twice through one link (before
this rule), the later requests keep an empty key, so that the unique constraint can be added.
"""

from django.conf import settings
from django.db import migrations, models

from invitations.models import person_key


def fill_person_keys(apps, schema_editor):
    JoinRequest = apps.get_model("invitations", "JoinRequest")
    seen = set()
    changed = []
    for request in JoinRequest.objects.order_by("created_at", "pk").iterator(chunk_size=2000):
        key = person_key(request.full_name, request.child_name)
        if not key or (request.invitation_id, key) in seen:
            continue
        seen.add((request.invitation_id, key))
        request.person_key = key
        changed.append(request)
    JoinRequest.objects.bulk_update(changed, ["person_key"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("invitations", "0001_initial"),
        ("staff", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="joinrequest",
            name="person_key",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="ФИО заявителя и ребёнка без регистра и пробелов: так видна повторная заявка.",
                max_length=402,
                verbose_name="ключ заявителя",
            ),
        ),
        migrations.RunPython(fill_person_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="joinrequest",
            index=models.Index(fields=["school", "person_key"], name="joinrequest_person_idx"),
        ),
        migrations.AddConstraint(
            model_name="joinrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("person_key", ""), _negated=True),
                fields=("invitation", "person_key"),
                name="joinrequest_one_per_person_and_link",
            ),
        ),
    ]
