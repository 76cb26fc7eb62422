from django.apps import apps
from django.core.management.base import BaseCommand

from roster.demo import seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo gymnasium of order No. 883: the order with all its points, "
        "the people it names, "
        "classes 1А–11В with fictional class teachers, chats, links, "
        "and the demo accounts of API.md "
        "(director, coordinator, engineer, teacher_5a, teacher_5b, inspector; also web_editor, "
        "chat_owner, staff). "
        "Idempotent: a second run leaves the same data and sets the passwords anew."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="password of every demo account")

    def handle(self, *args, password, **options):
        result = seed_demo(password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.school.short_name}: приказ {result.order}, "
                f"пунктов {result.order.points.count()}, "
                f"классов {len(result.classes)}, сотрудников {len(result.people)}"
            )
        )
        counts = []
        for label in ("staff", "compliance", "orders", "chats", "invitations"):
            for model in apps.get_app_config(label).get_models():
                counts.append(f"{model._meta.label}={model.objects.count()}")
        self.stdout.write("  " + ", ".join(counts))
        self.stdout.write(
            "Учётные записи: " + ", ".join(sorted(result.users)) + " (пароль из --password)"
        )
