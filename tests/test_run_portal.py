"""`manage.py run_portal` (the end of `make run`): web, worker and beat run together
and stop together.

Run for real on the embedded defaults (a SQLite file and the filesystem broker in a temporary
folder), the way a newcomer's `make run` does, on a free port so nothing else is disturbed.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
BANNER = "Портал гимназии работает"
ENVIRONMENT_TO_DROP = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CACHE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory):
    """The environment of a fresh machine, with its SQLite database migrated once for the module."""
    var_dir = tmp_path_factory.mktemp("var")
    env = {key: value for key, value in os.environ.items() if key not in ENVIRONMENT_TO_DROP}
    env.update(PORTAL_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="gymnasium_portal.settings")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # the command name in parentheses may hold spaces: the fields after it are fixed
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Portal:
    def __init__(self, env, port):
        self.port = port
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_portal",
                "--port",
                str(port),
                "--password",
                "demo-pass",
            ],
            cwd=BASE_DIR,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self):
        for line in self.process.stdout:
            self.output.append(line)

    def text(self) -> str:
        return "".join(self.output)

    def wait_for_banner(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if BANNER in self.text():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        pytest.fail(f"run_portal printed no banner:\n{self.text()[-3000:]}")

    def stop(self):
        """Whatever the test did: leave no process behind."""
        parts = children_of(self.process.pid)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in parts:
            try:
                os.killpg(pid, signal.SIGKILL)  # each part leads its own process group
            except OSError:
                pass


@pytest.fixture
def portal(embedded_env):
    started = Portal(embedded_env, free_port())
    yield started
    started.stop()


def test_it_serves_the_portal_with_worker_and_beat_and_stops_all_on_sigterm(portal):
    portal.wait_for_banner()

    with urllib.request.urlopen(f"http://127.0.0.1:{portal.port}/healthz", timeout=10) as response:
        assert response.status == 200
        assert json.load(response) == {"database": "ok", "broker": "ok"}
    base = f"http://127.0.0.1:{portal.port}"
    # A wrong address, as a school trying the portal might type: the portal's Russian page, not
    # Django's English debug page with the URL map; the styles are served with DEBUG off.
    with pytest.raises(urllib.error.HTTPError) as wrong:
        urllib.request.urlopen(f"{base}/no-such-page/", timeout=10)
    page = wrong.value.read().decode()
    assert wrong.value.code == 404
    assert "Страница не найдена" in page and "URLconf" not in page and "DEBUG" not in page
    with urllib.request.urlopen(f"{base}/static/portal/portal.css", timeout=10) as response:
        assert response.status == 200 and b"{" in response.read()
    deadline = time.monotonic() + 10
    while "Not Found: /no-such-page/" not in portal.text() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # a second copy of the warning would follow right behind the first
    output = portal.text()
    assert f"{base}/api/docs/" in output  # the banner names the API docs
    assert output.count("Not Found: /no-such-page/") == 1  # logged once
    assert f"http://127.0.0.1:{portal.port}" in output
    assert "director" in output and "teacher_5a" in output and "demo-pass" in output
    assert "[worker]" in output and "[beat]" in output and "[web]" in output
    parts = children_of(portal.process.pid)
    assert len(parts) == 3 and all(alive(pid) for pid in parts)

    portal.process.send_signal(signal.SIGTERM)

    assert portal.process.wait(timeout=60) == 0
    assert not any(alive(pid) for pid in parts)


def test_when_one_part_dies_the_others_are_stopped_and_it_fails(portal):
    portal.wait_for_banner()
    parts = children_of(portal.process.pid)
    beat = next(pid for pid in parts if "beat" in Path(f"/proc/{pid}/cmdline").read_text())

    os.kill(beat, signal.SIGKILL)

    assert portal.process.wait(timeout=60) != 0
    assert "beat stopped with exit code" in portal.text()
    assert not any(alive(pid) for pid in parts)
