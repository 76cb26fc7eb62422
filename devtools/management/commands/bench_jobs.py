"""Benchmark of the two hourly jobs at the municipal scale (DESIGN.md §8), on a scratch database.

    python manage.py bench_jobs [--invitations 1000000] [--schools 40,400] [--repeat 4] [--keep]

It never touches real data: the default database's connection is pointed at ``<name>_bench``,
which is dropped, recreated and migrated first, and dropped again at the end (``--keep`` leaves it).
The data are generated with set-based SQL (``INSERT … SELECT generate_series``), not row by row.

(a) the expire job over N invitations of which 10 % are due, against a hand-written UPDATE of the
    same rows (the rows are reset and the table is vacuumed and analysed before every timing);
(b) the flag job over each number of schools of 33 classes with ~90 % of the required chats:
    wall time and number of SQL statements, first run (opens the findings) and repeat run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import DateTimeField
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chats.flagging import _missing_class_chats, chats_flag_missing
from chats.models import SCHOOL_KINDS, Chat, ChatKind, ChatRequirement
from compliance.models import Finding
from compliance.services import findings_sync
from devtools.benchmarking import scratch_database
from invitations.models import Invitation
from invitations.services import (
    EXPIRED_PARTLY_USED_REASON,
    EXPIRED_UNUSED_REASON,
    invitations_expire_unused,
)
from staff.models import School, SchoolClass
from staff.services import municipality_named

EXPIRE_RATIO_GOAL = 1.5
FLAG_GOALS = {
    40: 1.0,
    400: 5.0,
}  # seconds per number of schools (DESIGN.md §8: a municipality is ~40)
GRADES = range(1, 12)
LETTERS = ("А", "Б", "В")  # 11 grades × 3 letters = 33 classes, the gymnasium's size

# The hand-written statement (a) compares against: same rows, same columns, same values.
RAW_EXPIRE_SQL = """
    UPDATE invitations_invitation
       SET status = 'expired', annulled_at = now(), updated_at = now(),
           annul_reason = CASE WHEN uses = 0 THEN %s ELSE %s END
     WHERE status = 'active' AND expires_at <= now()
"""


def execute(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def vacuum_analyze(*models) -> None:
    for model in models:
        execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def insert_select(model, values: dict[str, str], from_sql: str) -> int:
    """``INSERT INTO model SELECT … FROM from_sql``: the given SQL expressions per field, the
    model's defaults for the other fields (so a field added later does not break the benchmark)."""
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.name not in values:
            continue
        if field.name in values:
            expression = values[field.name]
        elif isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add):
            expression = "now()"
        elif field.has_default() or not field.null:
            default = field.get_default()  # '' for text fields without an explicit default
            if default is None:
                raise CommandError(
                    f"bench_jobs does not know how to fill {model.__name__}.{field.name}"
                )
            expression = "%s"
            params.append(field.get_db_prep_save(default, connection))
        else:
            continue  # nullable: NULL
        columns.append(connection.ops.quote_name(field.column))
        expressions.append(expression)
    table = connection.ops.quote_name(model._meta.db_table)
    return execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM {from_sql}",
        params,
    )


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


class Command(BaseCommand):
    help = "Time the expire and flag jobs at municipal scale on a scratch PostgreSQL database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--invitations", type=int, default=1_000_000, help="invitations for (a); 0 skips (a)"
        )
        parser.add_argument(
            "--schools",
            default="40,400",
            help="school counts for (b), comma-separated; '' skips (b)",
        )
        parser.add_argument(
            "--repeat", type=int, default=4, help="timings per side in (a); the median is reported"
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the scratch database afterwards"
        )

    def handle(self, *args, invitations, schools, repeat, keep, **options):
        school_counts = sorted({int(n) for n in schools.split(",") if n.strip()})
        with scratch_database("bench", keep=keep) as scratch:
            self.stdout.write(f"bench_jobs: {self._version()}, scratch database {scratch}")
            if invitations:
                self._bench_expire(invitations, repeat)
            if school_counts:
                self._bench_flag(school_counts)

    def _version(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"

    # --- shared data ---------------------------------------------------------------------------

    def _add_schools(self, count: int, *, tag: str) -> None:
        """``count`` schools of 33 classes each, created a month ago (past any grace period)."""
        insert_select(
            School,
            {
                "name": f"'Школа {tag} № ' || n",
                "short_name": f"'{tag}-' || n",
                "municipality": str(municipality_named("Сыктывкар").pk),
            },
            f"generate_series(1, {count}) AS g(n)",
        )
        letters = ", ".join(f"'{letter}'" for letter in LETTERS)
        insert_select(
            SchoolClass,
            {
                "school": "s.id",
                "academic_year": "2025",
                "grade": "grade",
                "letter": "letter",
                "created_at": "now() - interval '30 days'",
                "updated_at": "now() - interval '30 days'",
            },
            "staff_school s "
            f"CROSS JOIN generate_series({GRADES.start}, {GRADES.stop - 1}) AS grade "
            f"CROSS JOIN unnest(ARRAY[{letters}]) AS letter "
            f"WHERE starts_with(s.short_name, '{tag}-')",
        )

    # --- (a) expire -----------------------------------------------------------------------------

    def _bench_expire(self, total: int, repeat: int) -> None:
        self.stdout.write(
            f"\n(a) expire job over {total:,} invitations, 10 % of them active and past their term"
        )
        started = time.perf_counter()
        self._add_schools(1, tag="expire")
        # Every tenth link is due; the rest are active ones still running and the history of a
        # few years (used, expired, annulled), as the table looks after a while.
        kind = "mod(g.n, 10)"
        insert_select(
            Invitation,
            {
                "school": "c.school_id",
                "school_class": "c.id",
                "role": "'parent'",
                "token": "'bench-' || g.n",
                "max_uses": f"CASE WHEN {kind} = 0 AND mod(g.n, 3) = 0 THEN 30 ELSE 1 END",
                "uses": f"CASE WHEN {kind} = 0 AND mod(g.n, 3) = 0 THEN mod(g.n, 7) "
                f"WHEN {kind} BETWEEN 2 AND 6 THEN 1 ELSE 0 END",
                "expires_at": f"CASE WHEN {kind} = 1 THEN now() + interval '14 days' "
                f"ELSE now() - interval '1 hour' - mod(g.n, 1000) * interval '1 day' END",
                "status": f"CASE WHEN {kind} IN (0, 1) THEN 'active' "
                f"WHEN {kind} BETWEEN 2 AND 6 THEN 'used' "
                f"WHEN {kind} IN (7, 8) THEN 'expired' ELSE 'annulled' END",
                "platform_url": "'https://sferum.ru/?invite=bench'",
                "annul_reason": "''",
            },
            f"generate_series(1, {total}) AS g(n) "
            "JOIN (SELECT id, school_id, row_number() OVER (ORDER BY id) - 1 AS i "
            "FROM staff_schoolclass WHERE school_id = (SELECT max(id) FROM staff_school)) c "
            "ON c.i = mod(g.n, 33)",
        )
        execute(
            "CREATE TABLE bench_due AS SELECT id FROM invitations_invitation "
            "WHERE status = 'active' AND expires_at <= now()"
        )
        due = execute("SELECT 1 FROM bench_due")
        self.stdout.write(f"    generated in {time.perf_counter() - started:.1f} s; due: {due:,}")

        def reset():
            execute(
                "UPDATE invitations_invitation "
                "SET status = 'active', annulled_at = NULL, annul_reason = '' "
                "WHERE id IN (SELECT id FROM bench_due)"
            )
            vacuum_analyze(Invitation)

        sides: dict[str, tuple[Callable[[], int], list[float]]] = {
            "the expire job": (invitations_expire_unused, []),
            "the raw UPDATE": (
                lambda: execute(
                    RAW_EXPIRE_SQL, (EXPIRED_UNUSED_REASON, EXPIRED_PARTLY_USED_REASON)
                ),
                [],
            ),
        }
        for round_ in range(repeat):
            order = (
                list(sides) if round_ % 2 == 0 else list(reversed(sides))
            )  # no side always goes first
            for name in order:
                function, times = sides[name]
                reset()
                seconds, changed = timed(function)
                self._check(changed, due, name)
                times.append(seconds)
        orm_times, raw_times = sides["the expire job"][1], sides["the raw UPDATE"][1]
        orm, raw = statistics.median(orm_times), statistics.median(raw_times)
        ratio = orm / raw
        self.stdout.write(
            f"    invitations_expire_unused: {orm:.3f} s  (median of {repeat}: "
            f"{', '.join(f'{t:.3f}' for t in orm_times)})"
        )
        self.stdout.write(
            f"    raw SQL UPDATE:            {raw:.3f} s  (median of {repeat}: "
            f"{', '.join(f'{t:.3f}' for t in raw_times)})"
        )
        self.stdout.write(
            f"    ratio job / raw: {ratio:.2f}×  (goal ≤ {EXPIRE_RATIO_GOAL}×)  "
            f"{self._verdict(ratio <= EXPIRE_RATIO_GOAL)}"
        )
        execute("DROP TABLE bench_due")

    # --- (b) flag -------------------------------------------------------------------------------

    def _bench_flag(self, school_counts: list[int]) -> None:
        self.stdout.write(
            f"\n(b) flag job, {len(GRADES) * len(LETTERS)} classes per school, "
            f"~90 % of the required chats present"
        )
        queries_seen = set()
        have = 0
        for count in school_counts:
            started = time.perf_counter()
            self._add_flag_schools(count - have, first_tag=have)
            have = count
            # Every measured first run starts from no findings.
            execute(f"DELETE FROM {connection.ops.quote_name(Finding._meta.db_table)}")
            vacuum_analyze(School, SchoolClass, Chat, ChatRequirement, Finding)
            classes = SchoolClass.objects.filter(school__short_name__startswith="flag").count()
            chats = Chat.objects.filter(school__short_name__startswith="flag").count()
            self.stdout.write(
                f"    {count} schools: {classes:,} classes, {chats:,} chats "
                f"(generated in {time.perf_counter() - started:.1f} s)"
            )
            for label in ("first run ", "repeat run"):
                with CaptureQueriesContext(connection) as queries:
                    seconds, report = timed(chats_flag_missing)
                queries_seen.add(len(queries))
                goal = FLAG_GOALS.get(count)
                verdict = f"(goal ≤ {goal:g} s)  {self._verdict(seconds <= goal)}" if goal else ""
                self.stdout.write(
                    f"      {label}: {seconds:.3f} s, {len(queries)} SQL statements, "
                    f"opened {report.details['opened']:,}, "
                    f"resolved {report.details['resolved']:,}  "
                    f"{verdict}"
                )
            expected = self._expected_findings()
            self._check(
                Finding.objects.filter(resolved_at__isnull=True).count(), expected, "open findings"
            )
        self.stdout.write(
            f"    same number of SQL statements for every size: "
            f"{self._verdict(len(queries_seen) == 1)} ({', '.join(map(str, sorted(queries_seen)))})"
        )
        self._bench_open_findings(school_counts[-1])

    def _bench_open_findings(self, count: int) -> None:
        """(c) Why ``compliance.sql.insert_from_select`` is hand-written SQL: opening the findings
        of every missing class chat as one INSERT … SELECT (what findings_sync does) against the
        plain ORM — read the subjects, then ``bulk_create(ignore_conflicts=True)``, which is the
        same ON CONFLICT DO NOTHING but with every row through Python."""
        subjects = _missing_class_chats()
        timings: dict[str, list[float]] = {"INSERT … SELECT": [], "ORM read + bulk_create": []}
        opened: dict[str, int] = {}
        for _round in range(3):
            for label in timings:
                execute(f"DELETE FROM {connection.ops.quote_name(Finding._meta.db_table)}")
                now = timezone.now()
                started = time.perf_counter()
                if label == "INSERT … SELECT":
                    opened[label], _resolved = findings_sync(
                        check="bench", subjects=subjects, now=now
                    )
                else:
                    rows = [
                        Finding(
                            check_key="bench",
                            opened_at=now,
                            school_id=row["school"],
                            school_class_id=row["school_class"],
                            chat_kind=row["chat_kind"],
                            subject_key=row["subject_key"],
                            message=row["message"],
                        )
                        for row in subjects
                    ]
                    opened[label] = len(
                        Finding.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
                    )
                timings[label].append(time.perf_counter() - started)
        sql_s = statistics.median(timings["INSERT … SELECT"])
        orm_s = statistics.median(timings["ORM read + bulk_create"])
        self.stdout.write(
            f"\n(c) opening {opened['INSERT … SELECT']:,} findings at {count} schools "
            f"(median of 3): INSERT … SELECT {sql_s:.3f} s, ORM read + bulk_create {orm_s:.3f} s "
            f"→ the ORM takes {orm_s / sql_s:.1f}×"
        )

    def _add_flag_schools(self, count: int, *, first_tag: int) -> None:
        if count <= 0:
            return
        tag = f"flag{first_tag}"
        self._add_schools(count, tag=tag)
        mine = f"starts_with(s.short_name, '{tag}-')"
        for kind in (ChatKind.CLASS_STUDENTS, ChatKind.CLASS_PARENTS):
            insert_select(
                ChatRequirement,
                {
                    "school": "s.id",
                    "kind": f"'{kind}'",
                    "min_grade": "1",
                    "max_grade": "11",
                    "basis": "'п. 4'",
                },
                f"staff_school s WHERE {mine}",
            )
        kinds = ", ".join(f"'{kind}'" for kind in SCHOOL_KINDS)
        insert_select(
            ChatRequirement,
            {"school": "s.id", "kind": "k", "basis": "'п. 6'"},
            f"staff_school s CROSS JOIN unnest(ARRAY[{kinds}]) AS k WHERE {mine}",
        )
        # ~90 %: a deterministic tenth of (class, kind) and (school, kind) pairs has no chat.
        insert_select(
            Chat,
            {
                "school": "c.school_id",
                "school_class": "c.id",
                "kind": "k",
                "title": "'Чат ' || c.grade || c.letter",
                "url": "'https://sferum.ru/chat/' || c.id || '-' || k",
                "status": "'active'",
            },
            f"staff_schoolclass c JOIN staff_school s ON s.id = c.school_id "
            f"CROSS JOIN unnest(ARRAY['{ChatKind.CLASS_STUDENTS}', '{ChatKind.CLASS_PARENTS}']) "
            "WITH ORDINALITY AS u(k, o) "
            f"WHERE {mine} AND mod(c.id * 2 + u.o, 10) <> 0",
        )
        insert_select(
            Chat,
            {
                "school": "s.id",
                "kind": "k",
                "title": "'Общешкольный чат ' || k",
                "url": "'https://sferum.ru/chat/s' || s.id || '-' || k",
                "status": "'active'",
            },
            f"staff_school s CROSS JOIN unnest(ARRAY[{kinds}]) WITH ORDINALITY AS u(k, o) "
            f"WHERE {mine} AND mod(s.id * 5 + u.o, 10) <> 0",
        )

    def _expected_findings(self) -> int:
        """Missing required chats counted independently of the job, straight from the tables."""
        school_kinds = ", ".join(f"'{k}'" for k in SCHOOL_KINDS)
        with connection.cursor() as cursor:
            cursor.execute(f"""
                SELECT (SELECT count(*) FROM staff_schoolclass c
                          JOIN chats_chatrequirement r
                            ON r.school_id = c.school_id AND r.is_required
                           AND c.grade BETWEEN r.min_grade AND r.max_grade
                         WHERE c.status = 'active' AND NOT EXISTS (
                               SELECT 1 FROM chats_chat ch WHERE ch.school_class_id = c.id
                                  AND ch.kind = r.kind AND ch.status = 'active'))
                     + (SELECT count(*) FROM chats_chatrequirement r
                         WHERE r.is_required AND r.kind IN ({school_kinds})
                           AND NOT EXISTS (SELECT 1 FROM chats_chat ch
                                 WHERE ch.school_id = r.school_id
                                   AND ch.kind = r.kind AND ch.status = 'active'))
            """)
            return cursor.fetchone()[0]

    # --- output -----------------------------------------------------------------------------------

    @staticmethod
    def _check(got: int, expected: int, what: str) -> None:
        if got != expected:
            raise CommandError(f"{what}: {got:,} rows, expected {expected:,}")

    def _verdict(self, ok: bool) -> str:
        return self.style.SUCCESS("OK") if ok else self.style.ERROR("MISSED")
