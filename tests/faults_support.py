"""Private PostgreSQL, Redis and portal processes for the fault tests (tests/test_faults.py).

Everything here is started by the tests and stopped by them: a PostgreSQL cluster initialised in a
temporary directory, a ``redis-server`` with no persistence, gunicorn, a Celery worker and beat.
The shared services on 5432/6379 are never touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
DEADLINE_SECONDS = 90  # generous: the machine is shared


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(
    condition, *, what: str, timeout: float = DEADLINE_SECONDS, log=None, interval: float = 0.2
):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"no {what} within {timeout} s" + (f"\n{log()}" if log else ""))


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _run_as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)


class PrivateRedis:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: port_open(self.port), what=f"private Redis on {self.port}", timeout=20)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


class PrivateCluster:
    """``initdb`` into a directory owned by the postgres user;
    ``pg_ctl`` start/stop on a free port."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.root = workdir
        self.data = workdir / "data"
        self.sockets = workdir / "sockets"
        self.log = workdir / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def init(self) -> None:
        self.sockets.mkdir(parents=True)
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
            shutil.chown(self.log, "postgres", "postgres")
        done = _run_as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        )
        if done.returncode:
            pytest.fail(f"initdb failed:\n{done.stdout}\n{done.stderr}")

    def ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off "
            # A statement whose client died is cancelled within 100 ms instead of running to its end
            # (and committing) unseen: recommended in production too.
            "-c client_connection_check_interval=100ms"
        )
        done = _run_as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                action,
                *extra,
            ]
        )
        if done.returncode:
            pytest.fail(
                f"pg_ctl {action} failed:\n{done.stdout}\n{done.stderr}\n"
                f"{self.log.read_text()[-3000:]}"
            )

    def start(self) -> None:
        self.ctl("start")

    def stop(self) -> None:
        self.ctl("stop", "-m", "fast")

    def psql(self, sql: str, *, database: str = "portal") -> str:
        done = subprocess.run(
            [
                str(PG_BIN / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-X",
                "-q",
                "-t",
                "-A",
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            pytest.fail(f"psql failed: {sql}\n{done.stderr}")
        return done.stdout.strip()


def binaries_missing() -> str | None:
    for binary in ("initdb", "pg_ctl", "postgres", "psql"):
        if not (PG_BIN / binary).exists():
            return f"PostgreSQL 15 server binaries are not installed ({PG_BIN / binary} missing)"
    if not shutil.which("redis-server"):
        return "redis-server is not installed"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser: cannot start PostgreSQL as the postgres user"
    return None


class Stack:
    """The private services plus helpers to run the portal's processes against them."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.pg = PrivateCluster(workdir / "pg")
        self.redis = PrivateRedis(workdir)
        self.processes: list[subprocess.Popen] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "CACHE_URL", "CELERY_TASK_ALWAYS_EAGER"}
        }
        env.update(
            {
                "DATABASE_URL": self.pg.url,
                "CELERY_BROKER_URL": self.redis.url,
                "DJANGO_SETTINGS_MODULE": "gymnasium_portal.settings",
                "PORTAL_VAR_DIR": str(self.workdir / "var"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(extra)
        return env

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            pytest.fail(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr[-5000:]}")
        return done.stdout

    def spawn(self, name: str, command: list[str], **env: str) -> Process:
        log_path = self.workdir / f"{name}-{len(self.processes)}.log"
        with open(log_path, "wb") as log:
            popen = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=self.env(**env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(popen)
        return Process(popen, log_path)

    def web(self) -> Process:
        port = free_port()
        process = self.spawn(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gymnasium_portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
            ],
        )
        process.base_url = f"http://127.0.0.1:{port}"
        wait_until(
            lambda: port_open(port) or process.dead(), what="gunicorn listening", log=process.log
        )
        assert not process.dead(), process.log()
        return process

    def celery(self, *args: str) -> Process:
        return self.spawn(
            args[0],
            [sys.executable, "-m", "celery", "-A", "gymnasium_portal", *args, "--loglevel", "INFO"],
        )

    def shutdown(self) -> None:
        for popen in self.processes:
            if popen.poll() is None:
                os.killpg(popen.pid, signal.SIGTERM)
        for popen in self.processes:
            try:
                popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(popen.pid, signal.SIGKILL)
                popen.wait()
        self.redis.stop()
        if (self.pg.data / "postmaster.pid").exists():
            self.pg.stop()


class Process:
    def __init__(self, popen: subprocess.Popen, log_path: Path):
        self.popen, self.log_path = popen, log_path
        self.base_url = ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def dead(self) -> bool:
        return self.popen.poll() is not None

    def stop(self) -> None:
        if not self.dead():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()


def make_workdir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="portal-faults-"))
    path.chmod(0o755)
    (path / "pg").mkdir()
    return path
