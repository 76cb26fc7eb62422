"""Benchmark of the import of a staff file end to end (issue 13: 1,000 rows ≤ 30 s), on a scratch
database.

    python manage.py bench_import [--rows 1000] [--format xlsx|csv] [--keep]

End to end through the portal's own stack in this process: the upload (POST /api/v1/imports/,
multipart, through every middleware), the reading and checking as the worker runs it (the Celery
task ``roster.tasks.import_read``, executed eagerly here), the preview (GET), the apply (POST
…/apply/, one transaction); then the same file uploaded and applied again (all «unchanged»).
The real-worker path is covered by tests/roster/test_import_worker.py; the worker adds only the
broker's hand-over to these figures.
"""

from __future__ import annotations

import io
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from devtools.benchmarking import scratch_database
from gymnasium_portal.celery import app as celery_app
from staff.models import Person, School
from staff.roles import Role
from staff.services import municipality_named

GOAL_SECONDS = 30.0
HEADER = ["ФИО", "Должность", "Педагог", "E-mail", "Телефон"]
LETTERS = "абвгдежзиклмнопрстуфхцчшэюя"


def _word(n: int) -> str:
    letters = ""
    for _ in range(4):
        n, digit = divmod(n, len(LETTERS))
        letters += LETTERS[digit]
    return letters.capitalize()


def staff_file(rows: int, fmt: str) -> bytes:
    data = [
        [
            f"{_word(n)}ова  Мария Пётровна",  # doubled space and «ё»: normalised on the way
            "учитель" if n % 3 else "лаборант",
            "да" if n % 3 else "нет",
            f"person{n}@example.ru" if n % 4 else "",
            f"8 (912) {n % 1000:03d}-{n % 100:02d}-{n % 97:02d}",
        ]
        for n in range(rows)
    ]
    if fmt == "csv":
        text = "\r\n".join(";".join(map(str, row)) for row in [HEADER, *data]) + "\r\n"
        return text.encode("cp1251")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [HEADER, *data]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Time the import of a staff file end to end (upload, read and check, preview, apply)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1000)
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--keep", action="store_true", help="keep the scratch database")

    def handle(self, *args, **options):
        rows, fmt = options["rows"], options["format"]
        content = staff_file(rows, fmt)
        self.stdout.write(
            f"bench_import: {rows} staff rows, .{fmt} of {len(content) / 1024:.0f} KB, "
            f"goal ≤ {GOAL_SECONDS:.0f} s end to end"
        )
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True  # the worker's task, run here
        try:
            with scratch_database("import", keep=options["keep"]):
                first = self._round(content, fmt, rows, "first upload (all new)")
                second = self._round(content, fmt, rows, "same file again (all unchanged)")
        finally:
            celery_app.conf.task_always_eager = eager
        if first["summary"]["create"] != rows or second["summary"]["unchanged"] != rows:
            raise CommandError(f"unexpected summaries: {first['summary']}, {second['summary']}")
        verdict = "OK" if first["total"] <= GOAL_SECONDS else "OVER THE GOAL"
        self.stdout.write(f"end to end, first upload: {first['total']:.2f} s — {verdict}")

    def _round(self, content: bytes, fmt: str, rows: int, title: str) -> dict:
        school, user = self._school_and_coordinator()
        client = Client()
        client.force_login(user)
        timings: dict[str, float] = {}
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(
                "/api/v1/imports/",
                {
                    "file": SimpleUploadedFile(f"staff.{fmt}", content),
                    "kind": "staff",
                },
            )
            timings["upload + read and check (task)"] = time.perf_counter() - started
            if response.status_code != 201:
                raise CommandError(f"upload answered {response.status_code}: {response.content!r}")
            run_id = response.json()["id"]
            mark = time.perf_counter()
            body = client.get(f"/api/v1/imports/{run_id}/").json()
            timings["preview (GET)"] = time.perf_counter() - mark
            if body["status"] != "preview" or body["errors"]:
                raise CommandError(f"not a clean preview: {body['status']} {body['errors'][:3]}")
            mark = time.perf_counter()
            response = client.post(f"/api/v1/imports/{run_id}/apply/")
            timings["apply (one transaction)"] = time.perf_counter() - mark
            total = time.perf_counter() - started
        applied = response.json()
        self.stdout.write(f"  {title}:")
        for name, seconds in timings.items():
            self.stdout.write(f"    {name:<34} {seconds:7.3f} s")
        self.stdout.write(
            f"    {'total':<34} {total:7.3f} s   ({len(queries)} SQL statements, "
            f"{rows / total:,.0f} rows/s); summary {applied['summary']}"
        )
        assert Person.objects.filter(school=school).count() == rows + 1
        return {"total": total, "summary": applied["summary"]}

    def _school_and_coordinator(self):
        school = School.objects.filter(short_name="Школа замера").first()
        if school is not None:
            return school, get_user_model().objects.get(username="bench_coordinator")
        school = School.objects.create(
            name="МАОУ «Школа замера»",
            short_name="Школа замера",
            municipality=municipality_named("Бенчмарк"),
        )
        user = get_user_model().objects.create_user("bench_coordinator", password=None)
        user.groups.add(
            Group.objects.get(name=Role.COORDINATOR), Group.objects.get(name=Role.STAFF)
        )
        Person.objects.create(school=school, user=user, full_name="Координатор Замера")
        return school, user
