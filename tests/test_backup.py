"""Backup and restore (issue 7, item 6): the commands of README.md «Резервная копия» really work.

A scratch PostgreSQL database is migrated and seeded with the demo gymnasium (``manage.py migrate``,
``createcachetable``, ``seed_demo``, in subprocesses, as an operator would), dumped with
``pg_dump -Fc`` together with a tar of the media folder, restored with ``pg_restore`` into an EMPTY
database and a fresh media folder, and then compared:

- every table of the public schema has the same rows in both databases (count and an md5 over
  the rows' text) — the tables of the project's apps, auth, authtoken, guardian and
  django_celery_beat among them;
- every sequence continues from the same value (new rows will not collide with restored ones);
- order No. 883 has its points, and the demo logins authenticate against the restored database
  (``manage.py shell -c`` with ``authenticate``);
- every file the restored database refers to is in the restored media folder.

The scratch databases (``<DATABASE_URL name>_backup_src`` / ``_backup_dst``) are dropped at the end.
It does not touch the test database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.parse
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

pytestmark = [
    pytest.mark.skipif(
        shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
        reason="pg_dump/pg_restore are not installed (Debian: apt-get install postgresql-client)",
    ),
    pytest.mark.postgresql(reason="backup and restore of PostgreSQL with pg_dump and pg_restore"),
]

BASE_DIR = Path(settings.BASE_DIR)
PASSWORD = "backup-Pushkin-883"
DEMO_LOGINS = ["director", "coordinator", "engineer", "teacher_5a", "teacher_5b", "inspector"]
# Apps whose every table must be in the backup (the project's, and what rights and jobs live in).
APP_LABELS = [
    "staff",
    "orders",
    "chats",
    "invitations",
    "auth",
    "authtoken",
    "guardian",
    "django_celery_beat",
]

SPOT_CHECK = """
import json
from django.contrib.auth import authenticate
from orders.models import Order
order = Order.objects.get(number="883")
print(json.dumps({
    "order_points": sorted(order.points.values_list("number", flat=True)),
    "logins": {name: authenticate(username=name, password=PASSWORD) is not None for name in LOGINS},
}))
"""


def _server():
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": int(db.get("PORT") or 5432),
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or "",
    }


def _url(name):
    server = _server()
    user = urllib.parse.quote(server["user"])
    auth = f"{user}:{urllib.parse.quote(server['password'])}@" if server["password"] else f"{user}@"
    return f"postgres://{auth}{server['host']}:{server['port']}/{name}"


def _admin(sql):
    server = _server()
    conn = psycopg2.connect(dbname="postgres", **server)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


def _pg_env():
    server = _server()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(PGHOST=server["host"], PGPORT=str(server["port"]), PGUSER=server["user"])
    if server["password"]:
        env["PGPASSWORD"] = server["password"]
    return env


def _manage(database, media, *args, extra_env=None):
    env = _pg_env()
    env.update(
        DATABASE_URL=_url(database),
        MEDIA_ROOT=str(media),
        DJANGO_SETTINGS_MODULE="gymnasium_portal.settings",
    )
    env.pop("CACHE_URL", None)
    env.update(extra_env or {})
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        check=False,
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def _snapshot(database):
    """Per table of the public schema: (row count, md5 of the rows' text);
    per sequence: last value."""
    conn = psycopg2.connect(dbname=database, **_server())
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
            tables = [row[0] for row in cursor.fetchall()]
            rows = {}
            for table in tables:
                cursor.execute(
                    f"SELECT count(*), "
                    f"md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                    f'FROM "{table}" AS t'
                )
                rows[table] = cursor.fetchone()
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            )
            sequences = dict(cursor.fetchall())
    finally:
        conn.close()
    return rows, sequences


def _expected_tables():
    tables = set()
    for label in APP_LABELS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.add(model._meta.db_table)
    return tables


def _referenced_files(database):
    """Names of every file a FileField of a restored row points to."""
    conn = psycopg2.connect(dbname=database, **_server())
    names = []
    try:
        with conn.cursor() as cursor:
            for model in apps.get_models():
                for field in model._meta.concrete_fields:
                    if isinstance(field, models.FileField):
                        cursor.execute(
                            f'SELECT "{field.column}" FROM "{model._meta.db_table}" '
                            f"WHERE \"{field.column}\" <> ''"
                        )
                        names += [row[0] for row in cursor.fetchall()]
    finally:
        conn.close()
    return names


@pytest.fixture
def scratch_databases():
    base = settings.DATABASES["default"]["NAME"]
    source, target = f"{base}_backup_src", f"{base}_backup_dst"
    for name in (source, target):
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{source}"')
    yield source, target
    for name in (source, target):
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_dump_and_restore_into_an_empty_database_keeps_every_record(scratch_databases, tmp_path):
    source, target = scratch_databases
    media, restored_media = tmp_path / "media", tmp_path / "restored-media"
    media.mkdir()
    restored_media.mkdir()
    dump, media_tar = tmp_path / "portal.dump", tmp_path / "media.tar.gz"

    _manage(source, media, "migrate", "--noinput", "-v0")
    _manage(source, media, "createcachetable")
    _manage(source, media, "seed_demo", "--password", PASSWORD)

    # The backup: README.md «Резервная копия», PostgreSQL.
    subprocess.run(
        ["pg_dump", "-Fc", "-f", str(dump), source], env=_pg_env(), check=True, timeout=300
    )
    with tarfile.open(media_tar, "w:gz") as archive:
        archive.add(media, arcname="media")
    assert dump.stat().st_size > 0

    # The restore, into an empty database and an empty media folder.
    _admin(f'CREATE DATABASE "{target}"')
    restored = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", target, str(dump)],
        check=False,
        env=_pg_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert restored.returncode == 0, restored.stderr
    with tarfile.open(media_tar) as archive:
        archive.extractall(restored_media, filter="data")

    source_rows, source_sequences = _snapshot(source)
    target_rows, target_sequences = _snapshot(target)
    missing = _expected_tables() - set(source_rows)
    assert not missing, f"tables of the apps not in the seeded database: {sorted(missing)}"
    assert target_rows == source_rows, {
        table: (source_rows.get(table), target_rows.get(table))
        for table in set(source_rows) | set(target_rows)
        if source_rows.get(table) != target_rows.get(table)
    }
    assert target_sequences == source_sequences
    # The seed really filled the tables that matter (the comparison above is not of empty tables).
    for table in (
        "orders_order",
        "orders_orderpoint",
        "staff_schoolclass",
        "auth_user",
        "chats_chat",
    ):
        if table in source_rows:
            assert source_rows[table][0] > 0, table
    assert sum(count for count, _ in source_rows.values()) > 100

    # Spot check through Django against the restored database.
    script = f"PASSWORD = {PASSWORD!r}\nLOGINS = {DEMO_LOGINS!r}\n" + SPOT_CHECK
    restored_view = json.loads(
        _manage(target, restored_media / "media", "shell", "-c", script).strip().splitlines()[-1]
    )
    source_view = json.loads(_manage(source, media, "shell", "-c", script).strip().splitlines()[-1])
    assert restored_view["order_points"] == source_view["order_points"]
    assert len(restored_view["order_points"]) > 10
    assert restored_view["logins"] == dict.fromkeys(DEMO_LOGINS, True)

    # Every file the restored rows refer to came back with the media folder.
    files = _referenced_files(target)
    assert files, "the demo data refers to no media file: the media part of the check is void"
    absent = [name for name in files if not (restored_media / "media" / name).is_file()]
    assert not absent, absent
