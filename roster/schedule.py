"""The job schedule for the coordinator: when each periodic job of ``gymnasium_portal.jobs`` runs,
when it last ran, and a form to change the hour and minute or pause it (django-celery-beat's
``PeriodicTask``: beat picks the change up by itself). The schedule is the deployment's, not
one school's: every school's checks run in the same job."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from compliance.models import JobRun
from gymnasium_portal.jobs import JOB_TABLE, Job
from staff.access import user_can
from staff.selectors import user_school

_FIELD = re.compile(r"^(\*|\d{1,2}(-\d{1,2})?)(/\d{1,2})?(,(\*|\d{1,2}(-\d{1,2})?)(/\d{1,2})?)*$")


def _crontab_field(value: str, high: int) -> str:
    value = value.replace(" ", "")
    if not _FIELD.match(value) or any(int(n) > high for n in re.findall(r"\d+", value)):
        raise forms.ValidationError(
            _("Число от 0 до %(high)d, «*» (каждый), «*/N» (каждые N) или список через запятую.")
            % {"high": high}
        )
    return value


class ScheduleForm(forms.Form):
    hour = forms.CharField(label=gettext_lazy("Час"), max_length=60)
    minute = forms.CharField(label=gettext_lazy("Минута"), max_length=60)
    enabled = forms.BooleanField(label=gettext_lazy("Выполнять"), required=False)

    def clean_hour(self):
        return _crontab_field(self.cleaned_data["hour"], 23)

    def clean_minute(self):
        return _crontab_field(self.cleaned_data["minute"], 59)


@dataclass
class JobRow:
    key: str
    job: Job
    periodic: PeriodicTask | None
    last_run: JobRun | None
    form: ScheduleForm

    @property
    def crontab(self) -> dict[str, str]:
        if self.periodic is not None and self.periodic.crontab is not None:
            return {"hour": self.periodic.crontab.hour, "minute": self.periodic.crontab.minute}
        return dict(self.job.crontab)


def _require_coordinator(request) -> None:
    school = user_school(request.user)
    if school is None or not user_can(request.user, "manage_accounts", school):
        raise PermissionDenied


def _rows(bound_key: str | None = None, data=None) -> list[JobRow]:
    tasks = {
        p.task: p
        for p in PeriodicTask.objects.select_related("crontab").filter(
            task__in=[job.task for job in JOB_TABLE.values()]
        )
    }
    # One query per job (four): the latest run of each, by the (name, -started_at) index.
    last = {
        key: JobRun.objects.filter(name=key).order_by("-started_at").first() for key in JOB_TABLE
    }
    rows = []
    for key, job in JOB_TABLE.items():
        periodic = tasks.get(job.task)
        row = JobRow(key, job, periodic, last.get(key), ScheduleForm())
        initial = row.crontab | {"enabled": periodic.enabled if periodic else True}
        row.form = ScheduleForm(data if key == bound_key else None, initial=initial, prefix=key)
        rows.append(row)
    return rows


@transaction.atomic
def schedule_set(*, key: str, hour: str, minute: str, enabled: bool) -> PeriodicTask:
    job = JOB_TABLE[key]
    schedule, _created = CrontabSchedule.objects.get_or_create(
        timezone="Europe/Moscow",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        hour=hour,
        minute=minute,
    )
    periodic = PeriodicTask.objects.filter(task=job.task).first() or PeriodicTask(
        name=job.description, task=job.task
    )
    periodic.crontab, periodic.enabled = schedule, enabled
    periodic.save()  # django-celery-beat marks the schedule changed: beat reloads it
    return periodic


@login_required
def jobs_view(request):
    _require_coordinator(request)
    key = request.POST.get("job") if request.method == "POST" else None
    if key is not None and key not in JOB_TABLE:
        raise Http404
    rows = _rows(key, request.POST if key else None)
    if key:
        row = next(r for r in rows if r.key == key)
        if row.form.is_valid():
            schedule_set(key=key, **row.form.cleaned_data)
            messages.success(
                request, _("Расписание задания «%(job)s» сохранено.") % {"job": row.job.description}
            )
            return redirect("staff:jobs")
    return render(request, "roster/jobs.html", {"rows": rows}, status=400 if key else 200)
