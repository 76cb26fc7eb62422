"""Shared by the benchmark commands (``make bench``): a scratch PostgreSQL database of their own."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection


@contextmanager
def scratch_database(suffix: str, *, keep: bool = False):
    """Point the default connection at a fresh, migrated ``<name>_<suffix>`` database; drop it
    after.

    Benchmarks never touch real data: like Django's test runner, this creates the database anew
    (dropping a leftover one), migrates it, and on exit drops it and points the connection back —
    unless ``keep``, which leaves it for a look afterwards. Yields the scratch database's name.
    """
    if connection.vendor != "postgresql":
        raise CommandError("Benchmarks run on PostgreSQL only (set DATABASE_URL=postgres://…).")
    original = connection.settings_dict["NAME"]
    scratch = f"{original}_{suffix}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = scratch
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield scratch
    finally:
        if keep:
            connection.close()
            settings.DATABASES["default"]["NAME"] = original
            connection.settings_dict["NAME"] = original
        else:
            connection.creation.destroy_test_db(original, verbosity=0)


def free_port() -> int:
    """A free loopback port for a benchmark's server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def production_env(
    *, database: str, workdir: Path, secret_key: str, **extra: str
) -> dict[str, str]:
    """The environment of a server process as in production (DEBUG off) on the scratch
    ``database``."""
    db = connection.settings_dict
    user = urllib.parse.quote(db.get("USER") or "")
    password = urllib.parse.quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "CACHE_URL"}
    }
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    env.update(
        DATABASE_URL=f"postgres://{auth}{host}:{port}/{database}",
        DEBUG="0",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1",
        PORTAL_BASE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        LOG_LEVEL="ERROR",
        DATABASE_CONN_MAX_AGE="600",
    )
    env.update(extra)
    return env


@contextmanager
def gunicorn_server(
    *, wsgi: str, env: dict[str, str], workers: int, ready_path: str, timeout: int = 30
):
    """Collect static files, start gunicorn (sync workers) on a free loopback port, wait until
    ``ready_path`` answers 200, yield the base URL; stop the whole process group afterwards."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            wsgi,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
            "--timeout",
            str(timeout * 2),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base + ready_path, timeout=timeout)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def _wait_ready(url: str, *, timeout: int) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as error:
            raise CommandError(f"{url} answered {error.code}: {error.read()[:300]!r}") from error
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    raise CommandError(f"gunicorn did not answer within {timeout} s")
