from django.core.management.base import BaseCommand, CommandError

from gymnasium_portal.jobs import JOBS, job_task


class Command(BaseCommand):
    help = "Run one periodic job now, in this process, without a Celery worker."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(JOBS), help="the job's name (API.md, «Jobs»)")

    def handle(self, *args, name, **options):
        try:
            task = job_task(name)
        except KeyError as exc:
            raise CommandError(f"Job {name} is not available: {exc}") from exc
        details = task()
        self.stdout.write(f"{name}: {details}")
