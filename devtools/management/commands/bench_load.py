"""``manage.py bench_load``: the whole portal under a school-day load (issue 7, item 5; not a test).

    python manage.py bench_load [--duration 45] [--teachers 100] [--parents 20] [--directors 2]
                                [--workers 4] [--redis redis://127.0.0.1:6379/14] [--keep]

On a scratch PostgreSQL database ``<name>_bench_load`` (created, migrated, filled with
``generate_scale_data --schools 2`` and ``seed_demo``; dropped at the end unless ``--keep``) it
starts gunicorn (sync workers, DEBUG off, loopback only) with Redis as the cache and the Celery
broker, and drives it with locust (headless, in a subprocess) for a bounded time:

- a hundred class teachers (signed in, round-robin over the class teachers' accounts) opening their
  checklist: ``/chats/my-class/`` and its redirect to ``/chats/my-class/<id>/``;
- parents using multi-use class links: ``GET /invite/<token>/`` then ``POST`` of the form with the
  page's CSRF token — a join request recorded and the use counted, every time;
- the director on the order board: ``/orders/board/``.

It prints per request kind: requests, errors (goal 0), p50 and p99 latency, requests/s; then checks
the database: the links' uses equal the join requests recorded and the successful POSTs.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils import timezone

from devtools.benchmarking import (
    gunicorn_server,
    postgres_version,
    production_env,
    scratch_database,
)
from invitations.models import Invitation, JoinRequest, Role
from staff.models import School, SchoolClass

LOCUSTFILE = Path(__file__).resolve().parents[2] / "bench_locustfile.py"
SECRET_KEY = "bench-load-not-a-secret-" + "x" * 40
PASSWORD = "bench-Pushkin-883"
PLATFORM_URL = "https://sferum.ru/?invite=bench-load"
DEMO_PREFIX = "bench"


class Command(BaseCommand):
    help = "Class teachers, parents and the director at once against gunicorn + PostgreSQL + Redis."

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=45, help="seconds of load (10–120)")
        parser.add_argument("--teachers", type=int, default=100, help="class teachers at once")
        parser.add_argument("--parents", type=int, default=20, help="parents using links at once")
        parser.add_argument("--directors", type=int, default=2, help="directors on the board")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
        parser.add_argument(
            "--redis",
            default=os.environ.get("CELERY_BROKER_URL", "").startswith("redis://")
            and os.environ["CELERY_BROKER_URL"]
            or "redis://127.0.0.1:6379/14",
            help="Redis URL for the server's cache and broker",
        )
        parser.add_argument("--keep", action="store_true", help="keep the scratch database")

    def handle(
        self, *args, duration, teachers, parents, directors, workers, redis, keep, **options
    ):
        duration = max(10, min(duration, 120))
        with scratch_database("bench_load", keep=keep) as scratch:
            started = time.perf_counter()
            call_command("createcachetable", verbosity=0)
            call_command(
                "generate_scale_data",
                schools=2,
                password=PASSWORD,
                prefix=DEMO_PREFIX,
                stdout=io.StringIO(),
            )
            call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())
            data = self._prepare()
            self.stdout.write(
                f"bench_load: seeded in {time.perf_counter() - started:.0f} s — "
                f"{len(data['teacher_accounts'])} class teacher accounts, "
                f"{len(data['directors'])} directors, "
                f"{len(data['links'])} multi-use parent links"
            )
            workdir = Path(tempfile.mkdtemp(prefix="bench_load_"))
            try:
                data["teachers"] = self._teacher_sessions(data, teachers)
                data_file = workdir / "data.json"
                data_file.write_text(json.dumps(data), encoding="utf-8")
                env = production_env(
                    database=scratch,
                    workdir=workdir,
                    secret_key=SECRET_KEY,
                    CELERY_BROKER_URL=redis,
                    CACHE_URL=redis,
                )
                with gunicorn_server(
                    wsgi="gymnasium_portal.wsgi:application",
                    env=env,
                    workers=workers,
                    ready_path="/healthz",
                ) as base:
                    self.stdout.write(
                        f"bench_load: PostgreSQL {postgres_version()}, Redis {redis}, gunicorn "
                        f"{workers} sync workers, locust {teachers} class teachers + "
                        f"{parents} parents + "
                        f"{directors} directors for {duration} s, {os.cpu_count()} CPU(s), loopback"
                    )
                    uses_before = self._uses(data["link_ids"])
                    rows = self._run_locust(
                        workdir, data_file, base, teachers, parents, directors, duration
                    )
                self._report(rows, data["link_ids"], uses_before, parents)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)

    # --- data -----------------------------------------------------------------------------------

    def _prepare(self) -> dict:
        teacher_accounts = list(
            SchoolClass.objects.filter(
                status=SchoolClass.Status.ACTIVE, class_teacher__user__isnull=False
            )
            .order_by("school_id", "grade", "letter")
            .values_list("class_teacher__user_id", "pk")
        )
        # /chats/my-class/ opens a teacher's first class: expect that one.
        first_class: dict[int, int] = {}
        for user_id, class_id in teacher_accounts:
            first_class.setdefault(user_id, class_id)
        director_ids = list(
            get_user_model()
            .objects.filter(groups__name="director", is_active=True)
            .values_list("pk", flat=True)
        )
        demo = (
            School.objects.exclude(short_name__endswith=f"[{DEMO_PREFIX}]").order_by("pk").first()
        )
        assert demo is not None  # seed_demo has just made it
        classes = list(
            SchoolClass.objects.filter(school=demo, status=SchoolClass.Status.ACTIVE).order_by(
                "grade", "letter"
            )[:5]
        )
        links = [
            Invitation.objects.create(
                school=demo,
                school_class=school_class,
                role=Role.PARENT,
                max_uses=10_000_000,
                platform_url=PLATFORM_URL,
                expires_at=timezone.now() + datetime.timedelta(days=1),
            )
            for school_class in classes
        ]
        with override_settings(SECRET_KEY=SECRET_KEY):
            directors = [self._session(user_id) for user_id in director_ids]
        return {
            "teacher_accounts": first_class,
            "directors": directors,
            "links": [{"token": link.token, "platform_url": link.platform_url} for link in links],
            "link_ids": [link.pk for link in links],
        }

    def _teacher_sessions(self, data: dict, count: int) -> list[dict]:
        accounts = list(data.pop("teacher_accounts").items())
        with override_settings(SECRET_KEY=SECRET_KEY):
            return [
                {"session": self._session(user_id), "class_id": class_id}
                for user_id, class_id in (accounts[i % len(accounts)] for i in range(count))
            ]

    def _session(self, user_id: int) -> str:
        """What django.contrib.auth.login stores, written straight away (no password hashing)."""
        user = get_user_model().objects.get(pk=user_id)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.set_expiry(60 * 60)
        store.create()
        assert store.session_key is not None  # create() has just given it one
        return store.session_key

    def _uses(self, link_ids: list[int]) -> tuple[int, int]:
        uses = sum(Invitation.objects.filter(pk__in=link_ids).values_list("uses", flat=True))
        return uses, JoinRequest.objects.filter(invitation_id__in=link_ids).count()

    # --- the server and the load ----------------------------------------------------------------

    def _run_locust(
        self, workdir, data_file, base, teachers, parents, directors, duration
    ) -> list[dict]:
        env = {
            **os.environ,
            "BENCH_LOAD_DATA": str(data_file),
            "BENCH_LOAD_TEACHERS": str(teachers),
            "BENCH_LOAD_PARENTS": str(parents),
            "BENCH_LOAD_DIRECTORS": str(directors),
        }
        prefix = workdir / "locust"
        users = teachers + parents + directors
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--host",
                base,
                "--users",
                str(users),
                "--spawn-rate",
                str(max(10, users // 5)),
                "--run-time",
                f"{duration}s",
                "--stop-timeout",
                "10",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            check=False,
            env=env,
            capture_output=True,
            text=True,
            timeout=duration + 120,
        )
        if result.returncode not in (0, 1):  # 1: some requests failed, reported below
            raise RuntimeError(f"locust failed ({result.returncode}):\n{result.stderr[-3000:]}")
        with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
            rows = list(csv.DictReader(stats))
        failures_file = Path(f"{prefix}_failures.csv")
        if failures_file.exists():
            with failures_file.open(encoding="utf-8") as failures:
                for row in csv.DictReader(failures):
                    self.stdout.write(
                        f"  error ×{row['Occurrences']}: {row['Name']}: {row['Error'][:200]}"
                    )
        return rows

    def _report(
        self, rows: list[dict], link_ids: list[int], uses_before: tuple[int, int], parents: int
    ) -> None:
        self.stdout.write(
            f"{'scenario':42} {'requests':>9} {'errors':>7} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'req/s':>7}"
        )
        posts_ok = 0
        for row in rows:
            name = row["Name"] if row["Type"] else "all"
            requests, errors = int(row["Request Count"]), int(row["Failure Count"])
            self.stdout.write(
                f"{name:42} {requests:9d} {errors:7d} {row['50%']:>7} {row['99%']:>7} "
                f"{float(row['Requests/s']):7.1f}"
            )
            if name.startswith("parent: POST"):
                posts_ok = requests - errors
        uses, join_requests = self._uses(link_ids)
        uses -= uses_before[0]
        join_requests -= uses_before[1]
        # Each use is one join request; POSTs still in flight when locust stopped (at most one per
        # parent) were counted by the server but not by the client.
        verdict = (
            "OK" if uses == join_requests and posts_ok <= uses <= posts_ok + parents else "MISMATCH"
        )
        self.stdout.write(
            f"links: {uses} uses counted, {join_requests} join requests recorded, "
            f"{posts_ok} successful POSTs seen by the client — {verdict}"
        )
