"""The import's reading runs in a worker; the upload hands it over once the row is committed."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from staff.models import School

from .imports.services import import_create, import_read
from .models import ImportRun


@shared_task(name="roster.tasks.import_read")
def import_read_task(run_id: int) -> str | None:
    run = import_read(run_id=run_id)
    return run.status if run else None


def import_upload(*, school: School, kind: str, file_name: str, content: bytes, by) -> ImportRun:
    """Record the upload and queue its reading (after the commit: the worker must see the row)."""
    run = import_create(school=school, kind=kind, file_name=file_name, content=content, by=by)
    transaction.on_commit(lambda: import_read_task.delay(run.pk))
    return run
