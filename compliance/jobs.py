"""Recording of job runs: when, how long, what changed, and one run of a job at a time."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import JobRun


@dataclass
class RunReport:
    """What a job changed; filled in by the job while it runs."""

    rows_changed: int = 0
    details: dict = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.details[name] = self.details.get(name, 0) + count
        self.rows_changed += count


INTERRUPTED_ERROR = "interrupted: the process running the job stopped before the run ended"


@contextmanager
def _job_lock(name: str):
    """A PostgreSQL session lock held for the whole run: yields True when no other run of ``name``
    holds it, i.e. no other run of the job is alive (a killed worker's session, and so its lock,
    ends with it). Other databases: always False."""
    if connection.vendor != "postgresql":
        yield False
        return
    key = f"portal.job:{name}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key])
        alone = cursor.fetchone()[0]
    try:
        yield alone
    finally:
        if alone:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])
            except DatabaseError:  # the connection is gone, and the lock with it
                pass


def _interrupted_runs_close(name: str, *, alone: bool) -> None:
    """Mark as failed the runs of ``name`` left ``running`` by a process that died (kill -9, OOM,
    power loss): all of them when this run holds the job's lock, otherwise only those older than
    the hard time limit, which no live run can outlast."""
    now = timezone.now()
    stale = JobRun.objects.filter(name=name, status=JobRun.Status.RUNNING)
    if not alone:
        limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        stale = stale.filter(started_at__lt=now - limit)
    stale.update(status=JobRun.Status.FAILED, finished_at=now, error=INTERRUPTED_ERROR)


@contextmanager
def recorded_run(name: str):
    """Record one run of job ``name``: start, end, rows changed, and the error if it failed.

    Runs a killed process left ``running`` are closed as failed first (see _interrupted_runs_close).
    """
    with _job_lock(name) as alone:
        _interrupted_runs_close(name, alone=alone)
        with _recorded_run(name) as report:
            yield report


@contextmanager
def _recorded_run(name: str):
    run = JobRun.objects.create(name=name, started_at=timezone.now())
    report = RunReport()
    try:
        yield report
    except Exception as exc:
        JobRun.objects.filter(pk=run.pk).update(
            status=JobRun.Status.FAILED,
            finished_at=timezone.now(),
            rows_changed=report.rows_changed,
            details=report.details,
            error=repr(exc)[:2000],
        )
        raise
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.SUCCESS,
        finished_at=timezone.now(),
        rows_changed=report.rows_changed,
        details=report.details,
    )
