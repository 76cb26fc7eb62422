"""``manage.py bench_board --schools 40``: how fast the order board is at the municipal scale
(DESIGN.md §8).

Creates a scratch PostgreSQL database beside the configured one (``<name>_bench``), migrates it,
fills it with ``generate_scale_data --schools N`` and then, in this one process, times through
Django's test client (middleware, session, template rendering — the whole server side):

- the director's board of one school as served (its rendered figures kept for
  ``BOARD_CACHE_SECONDS``) and recomputed (``?refresh=1``), next to a minimal view that makes one
  query (the floor of any Django page here: the goal is the board within 3× of it);
- the inspector's table of every school;
- the API's dashboard, the snapshot job and the municipal exports, for the record;
- then over HTTP, with gunicorn serving the scratch database as in production: the API's
  dashboard (served from the board's kept figures) next to ``/healthz`` (goal: within 3× of it),
  and the board as a browser gets it next to the signed-in one-query view (``bench_urls``), both
  with the director's session cookie.

Each figure is the median of ``--runs`` requests after a warm-up. The scratch database is dropped
at the end unless ``--keep``. This is a benchmark that prints figures, not a test: nothing fails on
time.
"""

from __future__ import annotations

import http.client
import os
import statistics
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path
from django.utils import timezone
from rest_framework.authtoken.models import Token

from board.snapshots import dashboard_snapshot_all
from compliance.jobs import RunReport
from devtools.bench_urls import signed_in_one_query_view
from devtools.benchmarking import gunicorn_server, production_env, scratch_database
from staff.access import user_can
from staff.models import School
from staff.roles import Role


def one_query_view(request):
    """The floor: a Django view that makes exactly one query and returns a tiny page."""
    return HttpResponse(f"<p>{School.objects.count()}</p>")


def _board_permission(request) -> None:
    """The permission check the board makes first (``view_board``: Django's ModelBackend loads the
    user's and their groups' permissions, two queries every guarded page pays)."""
    if not user_can(request.user, "view_board", School):
        raise PermissionDenied


@login_required
def signed_in_permission_view(request):
    """The signed-in one-query view after the board's permission check."""
    _board_permission(request)
    return HttpResponse(f"<p>{request.user.username}: {School.objects.count()}</p>")


_FRAME = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<p>{{ schools }}</p>{% endblock %}'
)


@login_required
def signed_in_frame_view(request):
    """The permission check, one query and the portal's frame around it (``base.html``: header,
    navigation by the user's rights, the person's context) — what any page of the portal is before
    its own content."""
    _board_permission(request)
    return HttpResponse(_FRAME.render({"schools": School.objects.count()}, request))


# The project's URLs plus the floor views; used as ROOT_URLCONF while timing.
urlpatterns = [
    path("bench/one-query/", one_query_view),
    path("bench/signed-in-one-query/", signed_in_one_query_view),
    path("bench/signed-in-permission/", signed_in_permission_view),
    path("bench/signed-in-frame/", signed_in_frame_view),
    path("", include("gymnasium_portal.urls")),
]


class Command(BaseCommand):
    help = (
        "Benchmark the order board and the inspector's table on generate_scale_data (PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=40)
        parser.add_argument(
            "--runs", type=int, default=15, help="timed requests per page (median reported)"
        )
        parser.add_argument(
            "--invitations", type=int, default=3000, help="links per school (generate_scale_data)"
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the scratch database (and reuse it next time)"
        )

    def handle(self, *args, schools, runs, invitations, keep, **options):
        with scratch_database("bench", keep=keep) as scratch:
            self.stdout.write(f"Scratch database {scratch} …")
            started = time.perf_counter()
            call_command(
                "generate_scale_data",
                schools=schools,
                prefix="bench",
                invitations=invitations,
                stdout=self.stdout,
            )
            self.stdout.write(f"generated in {time.perf_counter() - started:.1f} s")
            # A database in service has its planner statistics (autovacuum keeps them), as in
            # bench_region: right after a bulk load the planner guesses, and the municipal
            # exports' queries took seconds more at 400 schools than they do a minute later.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self._bench(runs=runs)

    def _bench(self, *, runs: int) -> None:
        User = get_user_model()
        director = User.objects.get(username="bench-1-director")
        inspector, _ = User.objects.get_or_create(username="bench-inspector")
        inspector.groups.add(Group.objects.get(name=Role.INSPECTOR))
        school_count = School.objects.count()

        started = time.perf_counter()
        dashboard_snapshot_all(report=RunReport())
        snapshot_ms = (time.perf_counter() - started) * 1000

        with override_settings(ROOT_URLCONF=__name__, DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            as_director, as_inspector = Client(), Client()
            as_director.force_login(director)
            as_inspector.force_login(inspector)
            school_id = director.person.school_id
            # The board and the pages it is compared with are timed in turn, request by request,
            # so that a machine busy with other work slows them alike.
            figures = self._time_in_turn(
                [
                    ("one-query view (floor)", as_director, "/bench/one-query/"),
                    ("one-query view, signed in", as_director, "/bench/signed-in-one-query/"),
                    ("board, one school", as_director, "/orders/board/"),
                    ("home page (the lightest portal page)", as_director, "/"),
                    ("signed in + permission check", as_director, "/bench/signed-in-permission/"),
                    ("signed in + permission + frame", as_director, "/bench/signed-in-frame/"),
                ],
                runs=runs * 3,
            )
            figures += [
                (
                    "board, recomputed (?refresh=1)",
                    *self._time(as_director, "/orders/board/?refresh=1", runs),
                ),
                (
                    "drill-down, one school",
                    *self._time(as_director, "/orders/board/findings/", runs),
                ),
                ("API /api/v1/dashboard/", *self._time(as_director, "/api/v1/dashboard/", runs)),
                (
                    f"inspector table, {school_count} schools",
                    *self._time(as_inspector, "/orders/inspector/", runs),
                ),
                (
                    "XLSX, one school",
                    *self._time(
                        as_director, f"/orders/board/{school_id}/export.xlsx", max(3, runs // 3)
                    ),
                ),
                (
                    "PDF, one school",
                    *self._time(
                        as_director, f"/orders/board/{school_id}/export.pdf", max(3, runs // 3)
                    ),
                ),
                (
                    f"XLSX, municipality ({school_count})",
                    *self._time(as_inspector, "/orders/inspector/export.xlsx", 3),
                ),
                (
                    f"PDF, municipality ({school_count})",
                    *self._time(as_inspector, "/orders/inspector/export.pdf", 3),
                ),
            ]

        floor = figures[0][1]
        self.stdout.write("")
        self.stdout.write(f"{'page':<34} {'median ms':>10} {'queries':>8} {'× floor':>8}")
        for label, median_ms, queries in figures:
            self.stdout.write(
                f"{label:<34} {median_ms:>10.1f} {queries:>8} {median_ms / floor:>8.1f}"
            )
        self.stdout.write(f"{'snapshot job, every school':<34} {snapshot_ms:>10.1f}")
        for board_label, board_ms in (
            ("board", figures[2][1]),
            ("recomputed board", figures[6][1]),
        ):
            for label, floor_ms in (
                ("one-query view", floor),
                ("signed-in one-query view", figures[1][1]),
                ("signed-in one-query view + permission check", figures[4][1]),
                ("signed-in one-query view + permission + frame", figures[5][1]),
                ("home page", figures[3][1]),
            ):
                ratio = board_ms / floor_ms
                verdict = "within" if ratio <= 3 else "ABOVE"
                self.stdout.write(f"{board_label} / {label} = {ratio:.1f}× ({verdict} the 3× goal)")
        self.stdout.write(
            f"the board as served keeps its rendered figures for BOARD_CACHE_SECONDS="
            f"{settings.BOARD_CACHE_SECONDS} s per school (cache backend "
            f"{str(settings.CACHES['board']['BACKEND']).rsplit('.', 1)[-1]}); "
            "?refresh=1 computes them anew"
        )
        self.stdout.write(
            f"{school_count} schools, {runs} runs each, {timezone.localtime():%d.%m.%Y %H:%M}"
        )
        self._bench_http(director=director, runs=max(runs, 30))

    def _bench_http(self, *, director, runs: int) -> None:
        """Over HTTP, one gunicorn worker serving ``devtools.bench_urls``, one request at a time, a
        new connection each (sync workers close it), median of ``runs``: ``/healthz`` and the API's
        dashboard (token); the signed-in one-query view and the board (the director's session)."""
        token, _created = Token.objects.get_or_create(user=director)
        secret_key = "bench-" + "x" * 50
        # The session is signed, and bound to the password's hash, with the server's key.
        with override_settings(SECRET_KEY=secret_key):
            browser = Client()
            browser.force_login(director)
        cookie_name = settings.SESSION_COOKIE_NAME
        session = {"Cookie": f"{cookie_name}={browser.cookies[cookie_name].value}"}
        with tempfile.TemporaryDirectory() as workdir:
            env = production_env(
                database=connection.settings_dict["NAME"],
                workdir=Path(workdir),
                secret_key=secret_key,
                CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"),
            )
            with gunicorn_server(
                wsgi="devtools.bench_wsgi:application", env=env, workers=1, ready_path="/healthz"
            ) as base:
                host, port = base.removeprefix("http://").split(":")
                api = {"Authorization": f"Token {token.key}"}
                timed = _http_medians_in_turn(
                    host,
                    int(port),
                    [
                        ("/healthz", {}),
                        ("/api/v1/dashboard/", api),
                        ("/bench/signed-in-one-query/", session),
                        ("/orders/board/", session),
                    ],
                    runs,
                )
        self.stdout.write("")
        self.stdout.write(f"{'over HTTP (gunicorn, 1 worker)':<34} {'median ms':>10}")
        for path_, median_ms in timed.items():
            self.stdout.write(f"{path_:<34} {median_ms:>10.2f}")
        for label, page, floor in (
            ("API dashboard / healthz", "/api/v1/dashboard/", "/healthz"),
            ("board / signed-in one-query view", "/orders/board/", "/bench/signed-in-one-query/"),
        ):
            ratio = timed[page] / timed[floor]
            verdict = "within" if ratio <= 3 else "ABOVE"
            self.stdout.write(f"{label} = {ratio:.1f}× over HTTP ({verdict} the 3× goal)")

    def _time_in_turn(
        self, pages: list[tuple[str, Client, str]], *, runs: int
    ) -> list[tuple[str, float, int]]:
        """Each page's median and queries, the pages timed in turn (one request each, ``runs``
        rounds) after each one's warm-up and query count."""
        queries = {url: self._time(client, url, 0)[1] for _label, client, url in pages}
        timings: dict[str, list[float]] = {url: [] for _label, _client, url in pages}
        for _ in range(runs):
            for _label, client, url in pages:
                started = time.perf_counter()
                client.get(url)
                timings[url].append((time.perf_counter() - started) * 1000)
        return [
            (label, statistics.median(timings[url]), queries[url]) for label, _client, url in pages
        ]

    def _time(self, client: Client, url: str, runs: int) -> tuple[float, int]:
        response = client.get(url)  # warm-up: caches, first connection
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        # Counted with an execute wrapper: the test client clears connection.queries per request.
        queries = []

        def record(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            client.get(url)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        return (statistics.median(timings) if timings else 0.0), len(queries)


def _http_medians_in_turn(
    host: str, port: int, requests: list[tuple[str, dict[str, str]]], runs: int
) -> dict[str, float]:
    """Median milliseconds per path of ``runs`` rounds of GETs, the paths in turn, after two
    warm-up rounds; every answer must be 200."""
    timings: dict[str, list[float]] = {path_: [] for path_, _headers in requests}
    for attempt in range(runs + 2):
        for path_, headers in requests:
            started = time.perf_counter()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request("GET", path_, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                raise CommandError(f"{path_} answered {response.status} over HTTP")
            if attempt >= 2:
                timings[path_].append((time.perf_counter() - started) * 1000)
    return {path_: statistics.median(values) for path_, values in timings.items()}
