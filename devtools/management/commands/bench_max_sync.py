"""Benchmark of the ``max_sync`` job at the municipal scale (API.md, MAX integration), against a
local server that plays MAX and counts the requests it receives per second.

    python manage.py bench_max_sync [--chats 2640] [--rate 25] [--workers 1] [--keep]

A scratch database (``<name>_maxsync``) gets ``--chats`` portal chats bound to MAX chats (schools
of 33 classes with a students' and a parents' chat each: 2,640 chats = 40 schools); the job then
reads every one with ``MAX_RATE_LIMIT=--rate``. Printed: total time against the floor the limit
sets (chats / rate), the ratio (goal ≤ 1.2), and the most requests the server saw within any one
second (sliding) and within any calendar second (must never exceed the rate). With ``--workers``
> 1 the chats are split between that many threads, each with its own client and limiter object,
sharing the limit through Redis as separate workers do.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from chats.models import Chat, ChatKind
from compliance.jobs import RunReport
from devtools.benchmarking import scratch_database
from devtools.fake_max import FakeMaxProcess, chat_body, most_within_a_second
from messenger.client import MaxClient
from messenger.ratelimit import LocalRateLimiter, RedisRateLimiter
from messenger.sync import max_sync
from staff.models import School, SchoolClass
from staff.services import municipality_named

RATIO_GOAL = 1.2
TOKEN = "bench-token-not-a-secret"
KINDS = (ChatKind.CLASS_STUDENTS, ChatKind.CLASS_PARENTS)
LETTERS = ("А", "Б", "В")


def _load(chats: int) -> None:
    per_school = 33 * len(KINDS)
    schools = School.objects.bulk_create(
        School(
            name=f"Школа {n}", short_name=f"Школа {n}", municipality=municipality_named("Бенчмарк")
        )
        for n in range(-(-chats // per_school))
    )
    classes = SchoolClass.objects.bulk_create(
        SchoolClass(school=school, academic_year=2026, grade=grade, letter=letter)
        for school in schools
        for grade in range(1, 12)
        for letter in LETTERS
    )
    rows = [
        Chat(
            school_id=school_class.school_id,
            school_class=school_class,
            kind=kind,
            title=f"{school_class.grade}{school_class.letter} {kind}",
            url=f"https://max.ru/join/bench{school_class.pk}{kind}",
            platform_chat_id=-(10**12) - index,
        )
        for index, (school_class, kind) in enumerate(
            (school_class, kind) for school_class in classes for kind in KINDS
        )
    ][:chats]
    Chat.objects.bulk_create(rows, batch_size=1000)


class _Recording:
    """A limiter that notes when it granted each start (the client's side of the count)."""

    def __init__(self, inner, grants: list[float]):
        self.inner, self.grants = inner, grants

    def acquire(self) -> float:
        granted = self.inner.acquire()
        self.grants.append(granted)
        return granted


class Command(BaseCommand):
    help = "Time max_sync over N bound chats against a local MAX that counts requests per second."

    def add_arguments(self, parser):
        parser.add_argument("--chats", type=int, default=2640)
        parser.add_argument("--rate", type=int, default=25, help="MAX_RATE_LIMIT")
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument(
            "--redis-url",
            default=settings.MAX_REDIS_URL or "redis://127.0.0.1:6379/2",
            help="the shared limiter's Redis ('' → the in-process limiter)",
        )
        parser.add_argument("--keep", action="store_true")

    def handle(self, *args, chats, rate, workers, redis_url, keep, **options):
        if chats < 1 or rate < 1 or workers < 1:
            raise CommandError("--chats, --rate and --workers must be positive.")
        with scratch_database("maxsync", keep=keep):
            _load(chats)
            chat_ids = list(Chat.objects.order_by("pk").values_list("platform_chat_id", flat=True))
            bodies = {chat_id: chat_body(chat_id, participants_count=25) for chat_id in chat_ids}
            key = f"portal:max:bench:{time.time_ns()}"
            with FakeMaxProcess(TOKEN, bodies) as fake:
                with override_settings(
                    MAX_BOT_TOKEN=TOKEN, MAX_API_URL=fake.url, MAX_RATE_LIMIT=rate, MAX_RETRIES=4
                ):
                    elapsed, reports = self._run(workers, chat_ids, rate, redis_url, key)
            verified = sum(r.details.get("chats_verified", 0) for r in reports)
            failed = sum(r.details.get("chats_failed", 0) for r in reports)
            seen = len(fake.arrivals)
            per_second = Counter(int(at) for at in fake.arrivals)
            sliding = most_within_a_second(fake.arrivals)
            granted = most_within_a_second(self.grants)
        floor = chats / rate
        ratio = elapsed / floor
        limiter = "Redis " + redis_url if redis_url else "in-process"
        self.stdout.write(
            f"max_sync: {chats} bound chats, MAX_RATE_LIMIT={rate}, {workers} worker(s), "
            f"limiter {limiter}, PostgreSQL database {connection.settings_dict['NAME']}"
        )
        self.stdout.write(
            f"  total {elapsed:.1f} s; floor {floor:.1f} s (chats / rate); ratio {ratio:.3f} "
            f"(goal ≤ {RATIO_GOAL}) {'OK' if ratio <= RATIO_GOAL else 'SLOW'}"
        )
        self.stdout.write(
            f"  requests {seen} ({verified} verified, {failed} failed); most in any one second: "
            f"{sliding} sliding, {max(per_second.values(), default=0)} per calendar second "
            f"(limit {rate}) {'OK' if sliding <= rate else 'OVER THE LIMIT'}"
        )
        self.stdout.write(
            f"  starts the limiter granted (its clock): at most {granted} within any one second "
            f"{'OK' if granted <= rate else 'OVER THE LIMIT'}; the server's count adds the jitter "
            "of delivery on this machine"
        )

    def _run(self, workers, chat_ids, rate, redis_url, key):
        reports = [RunReport() for _ in range(workers)]
        shares = [chat_ids[i::workers] for i in range(workers)]
        errors: list[BaseException] = []

        self.grants: list[float] = []
        shared_local = LocalRateLimiter(limit=rate)

        def limiter():
            if not redis_url:
                return _Recording(shared_local, self.grants)
            return _Recording(RedisRateLimiter(url=redis_url, limit=rate, key=key), self.grants)

        def work(index: int) -> None:
            try:
                with MaxClient.from_settings(limiter=limiter()) as client:
                    ids = set(shares[index])
                    max_sync(client=client, report=reports[index], only=ids)
            except BaseException as exc:  # reported after the threads end
                errors.append(exc)
            finally:
                connection.close()

        started = time.monotonic()
        if workers == 1:
            with MaxClient.from_settings(limiter=limiter()) as client:
                max_sync(client=client, report=reports[0])
        else:
            threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        elapsed = time.monotonic() - started
        if errors:
            raise CommandError(f"a worker failed: {errors[0]!r}")
        return elapsed, reports
