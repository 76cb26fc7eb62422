from django.core.management.base import BaseCommand, CommandError

from gymnasium_portal.jobs import JOBS, job_task


class Command(BaseCommand):
    help = (
        "Run one periodic job now (or every one of them with --all), in this process, "
        "without a Celery worker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "name", nargs="?", choices=sorted(JOBS), help="the job's name (API.md, «Jobs»)"
        )
        parser.add_argument(
            "--all", action="store_true", help="every job, in the order of the job table"
        )

    def handle(self, *args, name=None, all=False, **options):
        if all == (name is not None):
            raise CommandError("Name one job, or give --all.")
        for job in list(JOBS) if all else [name]:
            try:
                task = job_task(job)
            except KeyError as exc:
                raise CommandError(f"Job {job} is not available: {exc}") from exc
            self.stdout.write(f"{job}: {task()}")
