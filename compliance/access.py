"""Who sees the records of the jobs (registered in ``staff.access``)."""

from __future__ import annotations

from django.db.models import QuerySet

from staff.access import visibility
from staff.rules import school_scoped

from .models import DashboardSnapshot, Finding, JobRun

school_scoped(Finding, DashboardSnapshot)


@visibility(JobRun)
def _job_runs(user, queryset: QuerySet[JobRun]) -> QuerySet[JobRun]:
    """A run covers every school and names none: whoever may read runs at all reads them all."""
    return queryset
