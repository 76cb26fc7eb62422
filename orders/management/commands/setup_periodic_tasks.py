from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from orders.jobs import JOBS

# DESIGN.md §6. Times are Europe/Moscow (CELERY_TIMEZONE); editable afterwards in the admin.
SCHEDULES = {
    "expire_invitations": {"minute": "5", "hour": "*"},
    "flag_missing_chats": {"minute": "15", "hour": "*"},
    "check_deadlines": {"minute": "0", "hour": "7"},
    "snapshot": {"minute": "30", "hour": "23"},
}
DESCRIPTIONS = {
    "expire_invitations": "Аннулирование невостребованных ссылок-приглашений (ежечасно)",
    "flag_missing_chats": "Поиск классов без обязательных чатов (ежечасно)",
    "check_deadlines": "Просроченные пункты приказов и напоминания (ежедневно)",
    "snapshot": "Снимок показателей панели (ежедневно)",
}


class Command(BaseCommand):
    help = "Create or update the periodic tasks of DESIGN.md §6 in django-celery-beat."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, task in JOBS.items():
            schedule, _ = CrontabSchedule.objects.get_or_create(
                timezone="Europe/Moscow",
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                **SCHEDULES[name],
            )
            periodic, created = PeriodicTask.objects.get_or_create(
                name=DESCRIPTIONS[name], defaults={"task": task, "crontab": schedule}
            )
            if not created and periodic.task != task:
                periodic.task = task
                periodic.save(update_fields=["task"])
            self.stdout.write(f"{'created' if created else 'kept'}: {periodic.name} → {task}")
