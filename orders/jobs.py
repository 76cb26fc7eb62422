"""Recording of job runs and the table of jobs runnable by name (``manage.py run_job NAME``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.utils import timezone

from .models import JobRun

# NAME → the Celery task, as API.md lists them.
JOBS: dict[str, str] = {
    "expire_invitations": "invitations.tasks.expire_unused_invitations",
    "flag_missing_chats": "chats.tasks.flag_missing_chats",
    "check_deadlines": "orders.tasks.check_deadlines",
    "snapshot": "orders.tasks.snapshot_dashboard",
}


@dataclass
class RunReport:
    """What a job changed; filled in by the job while it runs."""

    rows_changed: int = 0
    details: dict = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.details[name] = self.details.get(name, 0) + count
        self.rows_changed += count


@contextmanager
def recorded_run(name: str):
    """Record one run of job ``name``: start, end, rows changed, and the error if it failed."""
    run = JobRun.objects.create(name=name, started_at=timezone.now())
    report = RunReport()
    try:
        yield report
    except Exception as exc:
        JobRun.objects.filter(pk=run.pk).update(
            status=JobRun.Status.FAILED, finished_at=timezone.now(),
            rows_changed=report.rows_changed, details=report.details, error=repr(exc)[:2000],
        )
        raise
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.SUCCESS, finished_at=timezone.now(),
        rows_changed=report.rows_changed, details=report.details,
    )


def job_task(name: str) -> Callable:
    module_name, _, attr = JOBS[name].rpartition(".")
    return getattr(importlib.import_module(module_name), attr)
