from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from gymnasium_portal.jobs import JOB_TABLE


class Command(BaseCommand):
    help = "Create or update the periodic tasks of DESIGN.md §6 in django-celery-beat."

    @transaction.atomic
    def handle(self, *args, **options):
        for job in JOB_TABLE.values():
            schedule, _ = CrontabSchedule.objects.get_or_create(
                timezone="Europe/Moscow",
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                **job.crontab,
            )
            periodic, created = PeriodicTask.objects.get_or_create(
                name=job.description, defaults={"task": job.task, "crontab": schedule}
            )
            if not created and periodic.task != job.task:
                periodic.task = job.task
                periodic.save(update_fields=["task"])
            self.stdout.write(f"{'created' if created else 'kept'}: {periodic.name} → {job.task}")
