"""``manage.py bench_region --schools 400 --municipalities 20``: the region on one deployment
(issue 13, «Region scale»).

In a scratch PostgreSQL database (``<name>_region``): times ``generate_scale_data`` at that size
(goal: under 5 minutes), the hourly snapshot job that stores every school's standing, the
inspector's table as a regional and as a municipal inspector — sorted by lag, by municipality,
a later page — through Django's test client (the whole server side; goal: ≤ 300 ms and ≤ 20
queries), the table's first view when no standing is stored yet (for the record: that is the
computation the snapshot job takes off the page), and the expire and flag jobs (goal: ≤ 5 s each).

Figures are medians of ``--runs`` requests after a warm-up; nothing fails on time. The scratch
database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import statistics
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from board.snapshots import dashboard_snapshot_all
from chats.tasks import flag_missing_chats
from compliance.jobs import RunReport
from compliance.models import DashboardSnapshot
from devtools.benchmarking import scratch_database
from invitations.tasks import expire_unused_invitations
from staff.models import Inspector, Municipality, School
from staff.roles import Role

GOALS = {"generate": 300.0, "table_ms": 300.0, "table_queries": 20, "job": 5.0}


class Command(BaseCommand):
    help = "Benchmark the inspector's table and the jobs at the region's scale (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=400)
        parser.add_argument("--municipalities", type=int, default=20)
        parser.add_argument("--invitations", type=int, default=3000, help="links per school")
        parser.add_argument("--runs", type=int, default=15, help="timed requests per page")
        parser.add_argument("--keep", action="store_true", help="keep the scratch database")

    def handle(self, *args, schools, municipalities, invitations, runs, keep, **options):
        with scratch_database("region", keep=keep) as scratch:
            self.stdout.write(f"Scratch database {scratch} …")
            started = time.perf_counter()
            call_command(
                "generate_scale_data",
                schools=schools,
                municipalities=municipalities,
                prefix="region",
                invitations=invitations,
                stdout=self.stdout,
            )
            generated = time.perf_counter() - started
            # A database in service has its planner statistics (autovacuum keeps them): without
            # them the planner guesses one row per table right after a bulk load.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self._bench(schools=schools, generated=generated, runs=runs)

    def _bench(self, *, schools: int, generated: float, runs: int) -> None:
        regional, municipal = self._inspectors()
        rows: list[tuple[str, float, int | str, str]] = []
        verdict = "within" if generated <= GOALS["generate"] else "ABOVE"
        rows.append((f"generate_scale_data, {schools} schools", generated, "", verdict))

        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            as_regional, as_municipal = Client(), Client()
            as_regional.force_login(regional)
            as_municipal.force_login(municipal)
            # No standing stored yet: the first view computes every school's (once).
            DashboardSnapshot.objects.all().delete()
            started = time.perf_counter()
            queries = self._queries(as_regional, "/orders/inspector/")
            cold = time.perf_counter() - started
            rows.append(("table, first view, nothing stored", cold, queries, "(once)"))
            DashboardSnapshot.objects.all().delete()
            started = time.perf_counter()
            dashboard_snapshot_all(report=RunReport())
            rows.append(("snapshot job, every school", time.perf_counter() - started, "", "hourly"))
            for label, client, url in (
                ("table, regional, by lag", as_regional, "/orders/inspector/?sort=lag"),
                (
                    "table, regional, by municipality",
                    as_regional,
                    "/orders/inspector/?sort=municipality",
                ),
                ("table, regional, page 5", as_regional, "/orders/inspector/?sort=lag&page=5"),
                ("table, municipal, by lag", as_municipal, "/orders/inspector/?sort=lag"),
            ):
                median_ms, count = self._time(client, url, runs)
                ok = median_ms <= GOALS["table_ms"] and count <= GOALS["table_queries"]
                rows.append((label, median_ms / 1000, count, "within" if ok else "ABOVE"))

        for label, job in (
            ("expire_invitations job", expire_unused_invitations),
            ("flag_missing_chats job", flag_missing_chats),
        ):
            timings = []
            for _attempt in range(2):  # the first run changes rows, the second finds none
                started = time.perf_counter()
                # The digests go to memory: the figure is the job's, not a console printing mail.
                with override_settings(
                    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
                ):
                    job()
                timings.append(time.perf_counter() - started)
            verdict = "within" if max(timings) <= GOALS["job"] else "ABOVE"
            rows.append((f"{label} (1st)", timings[0], "", verdict))
            rows.append((f"{label} (2nd, idempotent)", timings[1], "", verdict))

        self.stdout.write("")
        self.stdout.write(f"{'what':<40} {'seconds':>9} {'queries':>8}  goal")
        for row_label, seconds, shown, row_verdict in rows:
            self.stdout.write(f"{row_label:<40} {seconds:>9.3f} {shown!s:>8}  {row_verdict}")
        self.stdout.write(
            f"{School.objects.count()} schools in {Municipality.objects.count()} municipalities; "
            f"goals: generate ≤ {GOALS['generate']:.0f} s, table ≤ {GOALS['table_ms']:.0f} ms and "
            f"≤ {GOALS['table_queries']} queries, jobs ≤ {GOALS['job']:.0f} s; "
            f"{timezone.localtime():%d.%m.%Y %H:%M}"
        )

    def _inspectors(self):
        User = get_user_model()
        group = Group.objects.get(name=Role.INSPECTOR)
        regional, _created = User.objects.get_or_create(username="bench-region-inspector")
        municipal, _created = User.objects.get_or_create(username="bench-municipal-inspector")
        for user in (regional, municipal):
            user.groups.add(group)
        Inspector.objects.update_or_create(user=regional, defaults={"municipality": None})
        first = Municipality.objects.filter(schools__isnull=False).order_by("pk").first()
        Inspector.objects.update_or_create(user=municipal, defaults={"municipality": first})
        return regional, municipal

    def _queries(self, client: Client, url: str) -> int:
        queries: list[str] = []

        def record(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        return len(queries)

    def _time(self, client: Client, url: str, runs: int) -> tuple[float, int]:
        count = self._queries(client, url)  # also the warm-up
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings), count
