"""The import through a REAL Celery worker: the progress moves on a 5,000-row file, then the
preview is there (the worker fixture of tests/test_celery_worker.py, on its own queue)."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from roster.models import ImportRun
from staff.models import Person
from tests.test_celery_worker import queue, wait_for, worker  # noqa: F401  (fixtures)

from .files import STAFF_HEADER, staff_rows, upload, xlsx_bytes

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 5000


def test_progress_moves_on_a_5000_row_file_through_a_real_worker(
    worker,  # noqa: F811
    role_groups,
    operator,
):
    client = APIClient()
    client.force_authenticate(operator)
    content = xlsx_bytes([STAFF_HEADER, *staff_rows(ROWS)])
    response = client.post(
        "/api/v1/imports/",
        {"file": upload("staff-5000.xlsx", content), "kind": "staff"},
        format="multipart",
    )
    assert response.status_code == 201
    run_id = response.json()["id"]

    seen: list[tuple[int, int]] = []
    deadline = time.monotonic() + 90
    status = "pending"
    while status not in ("preview", "failed") and time.monotonic() < deadline:
        body = client.get(f"/api/v1/imports/{run_id}/").json()
        status = body["status"]
        seen.append((body["progress"]["done"], body["progress"]["total"]))
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited:\n{worker.log()}")
        time.sleep(0.01)
    assert status == "preview", worker.log()

    dones = [done for done, _total in seen]
    assert dones == sorted(dones), "the progress never goes back"
    between = [(d, t) for d, t in seen if 0 < d < t]
    assert between, f"no progress value between 0 and the total was seen: {sorted(set(seen))}"
    assert between[0][1] >= ROWS  # the total is the file's row count (from the sheet's size)
    body = client.get(f"/api/v1/imports/{run_id}/").json()
    assert body["progress"] == {"done": ROWS, "total": ROWS}
    assert (body["rows_total"], body["rows_valid"], body["summary"]["create"]) == (ROWS,) * 3
    assert Person.objects.count() == 1  # the operator: the preview wrote nothing

    wait_for(
        lambda: "roster.tasks.import_read" in worker.log() and "succeeded" in worker.log(),
        worker=worker,
        what="log line of the import task",
    )
    response = client.post(f"/api/v1/imports/{run_id}/apply/")
    assert response.status_code == 200
    assert Person.objects.count() == 1 + ROWS
    assert ImportRun.objects.get(pk=run_id).status == "applied"
