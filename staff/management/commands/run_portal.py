"""Run the whole portal in one terminal: web, Celery worker and Celery beat, supervised together.

This is what ``make run`` ends with. Each part is an ordinary child process, the same commands one
runs separately in production (README): ``manage.py runserver`` (or gunicorn) for the web,
``celery -A gymnasium_portal worker`` and ``celery -A gymnasium_portal beat``. Their output is
prefixed with the part's name. Ctrl-C or SIGTERM stops all three; if one of them dies, the others
are stopped too and the command exits non-zero, so a half-running portal never looks healthy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAMES = ("director", "coordinator", "engineer", "teacher_5a", "teacher_5b", "inspector")
EXTRA_DEMO_USERNAMES = ("web_editor", "chat_owner", "staff")
# The municipality around the gymnasium: two more schools' directors and its own inspector.
MUNICIPALITY_DEMO_USERNAMES = ("director_school12", "director_school27", "inspector_syktyvkar")
STOP_GRACE_SECONDS = 10
START_TIMEOUT_SECONDS = 60


@dataclass
class Child:
    name: str
    args: list[str]
    ready_marker: str  # a line of its output that says it is up
    ready: threading.Event = field(default_factory=threading.Event, repr=False)
    process: subprocess.Popen[str] | None = None
    reader: threading.Thread | None = field(default=None, repr=False)

    @property
    def started(self) -> subprocess.Popen[str]:
        """The process, which ``Command._start`` has made by the time anyone asks."""
        assert self.process is not None, f"{self.name} is not started"
        return self.process


class Command(BaseCommand):
    help = "Start web, Celery worker and Celery beat together; stop all of them on Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--server",
            choices=["runserver", "gunicorn"],
            default="runserver",
            help="runserver (default; serves static files through whitenoise) or gunicorn",
        )
        parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
        parser.add_argument("--password", default="", help="demo password to show in the banner")

    def handle(self, *args, **options):
        manage_py = str(Path(settings.BASE_DIR) / "manage.py")
        address = f"{options['host']}:{options['port']}"
        # The links the portal hands out (invitations, password reset) point at this server,
        # unless the environment names the public address already.
        self.base_url = os.environ.get("PORTAL_BASE_URL") or f"http://{address}"
        if options["server"] == "gunicorn":
            web = [
                sys.executable,
                "-m",
                "gunicorn",
                "gymnasium_portal.wsgi",
                "--bind",
                address,
                "--workers",
                "2",
                "--access-logfile",
                "-",
            ]
        else:
            web = [sys.executable, manage_py, "runserver", address, "--noreload"]
        celery = [sys.executable, "-m", "celery", "-A", "gymnasium_portal"]
        children = [
            Child("web", web, ready_marker=address),
            Child(
                "worker",
                [*celery, "worker", "-l", "info", "--concurrency", str(options["concurrency"])],
                ready_marker=" ready.",
            ),
            Child("beat", [*celery, "beat", "-l", "info"], ready_marker="beat: Starting..."),
        ]

        stop_requested = threading.Event()

        def request_stop(signum, frame):
            stop_requested.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)

        for child in children:
            self._start(child)

        exit_code = 0
        try:
            if self._wait_until_ready(children, stop_requested):
                self._print_banner(options)
            while not stop_requested.is_set():
                dead = next((c for c in children if c.process.poll() is not None), None)
                if dead is not None:
                    self.stderr.write(
                        f"run_portal: {dead.name} stopped "
                        f"with exit code {dead.process.returncode}; "
                        "stopping the others."
                    )
                    exit_code = 1
                    break
                stop_requested.wait(0.5)
        finally:
            self._stop_all(children)

        if exit_code:
            raise CommandError("one part of the portal stopped unexpectedly (see its output above)")
        self.stdout.write("run_portal: web, worker and beat stopped.")

    # --- children ------------------------------------------------------------------------------
    def _start(self, child: Child) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PORTAL_BASE_URL": self.base_url}
        child.process = subprocess.Popen(
            child.args,
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            bufsize=1,
            # Own process group: Ctrl-C reaches only this supervisor, which then stops each part
            # in order instead of all of them racing each other.
            start_new_session=True,
        )
        child.reader = threading.Thread(target=self._relay, args=(child,), daemon=True)
        child.reader.start()

    def _relay(self, child: Child) -> None:
        prefix = f"[{child.name}] "
        output = child.started.stdout
        assert output is not None  # started with stdout=PIPE
        for line in output:
            if not child.ready.is_set() and child.ready_marker in line:
                child.ready.set()
            sys.stdout.write(prefix + line)
            sys.stdout.flush()

    def _all_alive(self, children: list[Child]) -> bool:
        return all(c.started.poll() is None for c in children)

    def _wait_until_ready(self, children, stop_requested) -> bool:
        """Wait (a minute at most) until every part has said it is up; False if one died first."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while (
            time.monotonic() < deadline
            and not stop_requested.is_set()
            and self._all_alive(children)
        ):
            if all(child.ready.is_set() for child in children):
                return True
            stop_requested.wait(0.2)
        if self._all_alive(children) and not stop_requested.is_set():
            slow = ", ".join(child.name for child in children if not child.ready.is_set())
            self.stderr.write(
                f"run_portal: {slow} did not report readiness in time; still running."
            )
            return True
        return False

    def _stop_all(self, children: list[Child]) -> None:
        # Beat first (no new jobs are sent), then the web, the worker last (it finishes its task).
        order = sorted(children, key=lambda c: {"beat": 0, "web": 1, "worker": 2}.get(c.name, 3))
        for child in order:
            if child.started.poll() is None:
                child.started.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in order:
            process = child.started
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"run_portal: {child.name} did not stop in time; killing it.")
                # The whole group: the worker's pool processes must not outlive it.
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for child in children:
            if child.reader is not None:
                child.reader.join(timeout=2)

    # --- banner --------------------------------------------------------------------------------
    def _print_banner(self, options) -> None:
        url = f"http://{options['host']}:{options['port']}"
        lines = [
            "",
            "=" * 72,
            f"  Портал гимназии работает: {url}",
            f"  Portal is up: {url}   (health: {url}/healthz, admin: {url}/admin/)",
            f"  API: документация / docs {url}/api/docs/, схема / schema {url}/api/schema/",
            "  web + Celery worker + Celery beat are running; Ctrl-C stops all three.",
            "  Отладка Django включена (DEBUG=1) / Django debug pages on"
            if settings.DEBUG
            else "  Страницы ошибок — русские; отладка Django: make run DEBUG=1",
        ]
        if options["password"]:
            lines += [
                "",
                "  Демо-входы / demo logins:",
                *(
                    f"    {username:<12} пароль / password: {options['password']}"
                    for username in DEMO_USERNAMES
                ),
                f"    (also {', '.join(EXTRA_DEMO_USERNAMES)}; the admin: coordinator)",
                f"    Сыктывкар / the municipality: {', '.join(MUNICIPALITY_DEMO_USERNAMES)}",
            ]
        lines += ["=" * 72, ""]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
