"""Faults with the real services stopped and started by the tests (issue 7, item 4).

The shared PostgreSQL and Redis are never touched: the module starts a private PostgreSQL cluster
and a private ``redis-server`` on free ports, migrates and seeds the demo school into the cluster,
and runs the portal's own processes against them (gunicorn, ``celery worker``, ``celery beat``,
``manage.py run_job``). Then it stops and starts those private services under the running
processes:

- Redis down: pages and the API answer, /healthz is 503 naming the broker (within seconds). No
  request enqueues anything (every job is periodic, started by beat, and set-based), so "work not
  lost" means: beat neither dies nor drops the due tick (it holds it and retries the broker), a
  worker started meanwhile waits for the broker, and the job's work (links past their term) is done
  by the first run once Redis is back.
- A worker killed (SIGKILL) in the middle of a job, inside its UPDATE: the pool process killed →
  the message is redelivered at once (``task_acks_late`` + ``task_reject_on_worker_lost``) and the
  run completes; the whole worker killed → the message stays unacknowledged in Redis and the next
  run does the work. Either way every link is expired exactly once, and the dead run's JobRun is
  closed as failed by the next run (orders/jobs.py).
- PostgreSQL stopped, started and restarted under a running gunicorn and a running worker: /healthz
  is 503 naming the database while it is down; the same gunicorn workers serve pages and the API
  and the same worker runs jobs once it is back.

The private cluster runs with ``client_connection_check_interval``, so a statement whose client
died is cancelled (and rolled back) at once rather than running on to commit unseen.
"""

from __future__ import annotations

import datetime
import http.cookiejar
import json
import os
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from compliance.jobs import INTERRUPTED_ERROR, recorded_run
from compliance.models import JobRun

from .faults_support import Stack, binaries_missing, make_workdir, wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgresql(
        reason="stops and restarts a private PostgreSQL cluster under the portal"
    ),
]

PASSWORD = "Faults-demo-2026!"
DUE_LINKS = (
    400_000  # enough that expiring them takes seconds: the worker is killed inside that UPDATE
)


# === HTTP against the private gunicorn ==========================================================


class Client:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(
        self,
        method: str,
        path: str,
        *,
        data: dict | None = None,
        token: str = "",
        form: bool = False,
        timeout: float = 30,
    ) -> tuple[int, bytes, float]:
        headers = {"Authorization": f"Token {token}"} if token else {}
        body = None
        if data is not None:
            if form:
                body = urllib.parse.urlencode(data).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                body = json.dumps(data).encode()
                headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.base_url + path, data=body, method=method, headers=headers
        )
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read(), time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, error.read(), time.monotonic() - started

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == name)

    def login(self, username: str) -> None:
        status, _, _ = self.get("/accounts/login/")
        assert status == 200
        status, body, _ = self.request(
            "POST",
            "/accounts/login/",
            form=True,
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookie("csrftoken"),
            },
        )
        assert status == 200 and "sessionid" in {cookie.name for cookie in self.cookies}, body[:500]

    def token(self, username: str) -> str:
        status, body, _ = self.request(
            "POST", "/api/v1/auth/token/", data={"username": username, "password": PASSWORD}
        )
        assert status == 200, body
        return json.loads(body)["token"]


# === the private stack ============================================================================


@pytest.fixture(scope="module")
def stack():
    reason = binaries_missing()
    if reason:
        pytest.skip(reason)
    workdir = make_workdir()
    services = Stack(workdir)
    try:
        services.pg.init()
        services.pg.start()
        services.pg.psql("CREATE DATABASE portal", database="postgres")
        services.redis.start()
        services.manage("migrate", "--noinput", "-v", "0")
        services.manage("seed_demo", "--password", PASSWORD)
        # The demo's own links past their term are expired now, so each test counts only its own.
        services.manage("run_job", "expire_invitations")
        services.pg.psql("DELETE FROM compliance_jobrun")
        yield services
    finally:
        services.shutdown()
        if os.environ.get("FAULTS_KEEP_WORKDIR") != "1":
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def web(stack):
    process = stack.web()
    yield process
    process.stop()


@pytest.fixture
def redis_up(stack):
    """Every test leaves Redis running, whatever it did to it."""
    yield stack.redis
    if stack.redis.process is None:
        stack.redis.start()


@pytest.fixture
def postgres_up(stack):
    yield stack.pg
    if not (stack.pg.data / "postmaster.pid").exists():
        stack.pg.start()


def healthz(client: Client) -> tuple[int, dict, float]:
    status, body, seconds = client.get("/healthz")
    return status, json.loads(body), seconds


def insert_links(stack: Stack, *, count: int, expires: str, platform_url: str) -> None:
    """``count`` teacher links of the demo school, by one set-based INSERT."""
    stack.pg.psql(
        "INSERT INTO invitations_invitation (created_at, updated_at, role, token,"
        " max_uses, uses, expires_at,"
        " status, platform_url, annul_reason, school_id)"
        f" SELECT now(), now(), 'teacher', md5(random()::text || g::text) || g::text,"
        f" 1, 0, {expires},"
        f" 'active', '{platform_url}' || g, '', (SELECT min(id) FROM staff_school)"
        f" FROM generate_series(1, {count}) AS g"
    )


def link_counts(stack: Stack, platform_url: str) -> dict[str, int]:
    rows = stack.pg.psql(
        "SELECT status, count(*) FROM invitations_invitation"
        f" WHERE platform_url LIKE '{platform_url}%' GROUP BY status ORDER BY status"
    )
    return {
        status: int(count) for status, count in (row.split("|") for row in rows.splitlines() if row)
    }


def job_runs(stack: Stack, name: str) -> list[tuple[str, int, str]]:
    rows = stack.pg.psql(
        "SELECT status, rows_changed, error FROM compliance_jobrun"
        f" WHERE name = '{name}' ORDER BY started_at, id"
    )
    return [
        (status, int(rows_changed), error)
        for status, rows_changed, error in (row.split("|", 2) for row in rows.splitlines() if row)
    ]


# === Redis down ===================================================================================


def test_pages_and_api_keep_working_while_redis_is_down(stack, web, redis_up):
    client = Client(web.base_url)
    client.login("director")
    token = Client(web.base_url).token("coordinator")
    assert healthz(client)[:2] == (200, {"database": "ok", "broker": "ok"})

    stack.redis.stop()

    status, body, seconds = healthz(client)
    assert (status, body) == (503, {"database": "ok", "broker": "error"})
    assert seconds < 10, f"/healthz took {seconds:.1f} s with the broker down"
    for path in ("/", "/orders/", "/invitations/"):
        status, page, _ = client.get(path)
        assert status == 200, (path, page[:300])
    status, orders, _ = client.get("/api/v1/orders/", token=token)
    assert status == 200 and json.loads(orders)["count"] >= 1
    status, created, _ = client.request(
        "POST",
        "/api/v1/invitations/",
        token=token,
        data={
            "role": "teacher",
            "platform_url": "https://sferum.ru/?invite=while-redis-down",
        },
    )
    assert status == 201, created
    assert json.loads(created)["status"] == "active"

    stack.redis.start()

    wait_until(
        lambda: healthz(client)[:2] == (200, {"database": "ok", "broker": "ok"}),
        what="/healthz healthy again after Redis returned",
        timeout=30,
    )


def test_a_beat_tick_while_redis_is_down_is_done_once_redis_returns(stack, redis_up):
    """Beat due every 2 s, Redis down: beat retries the broker (2, 4, 6 … s apart) holding the
    tick; after Redis returns the tick is published and the worker expires every link past its
    term, exactly once, the future ones untouched."""
    url = "https://sferum.ru/?invite=beat-"
    insert_links(stack, count=25, expires="now() - interval '1 minute'", platform_url=url)
    insert_links(stack, count=5, expires="now() + interval '7 days'", platform_url=url + "future-")
    stack.manage(
        "shell",
        "-c",
        (
            "from django_celery_beat.models import IntervalSchedule, PeriodicTask\n"
            "every, _ = IntervalSchedule.objects.get_or_create("
            "every=2, period=IntervalSchedule.SECONDS)\n"
            "PeriodicTask.objects.update(enabled=False)\n"
            "PeriodicTask.objects.update_or_create(name='faults: expire links', defaults={"
            "'task': 'invitations.tasks.expire_unused_invitations', "
            "'interval': every, 'enabled': True})\n"
        ),
    )
    stack.redis.stop()

    worker = stack.celery(
        "worker",
        "--pool",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        "faults-beat@%h",
    )
    beat = stack.celery("beat", "--schedule", str(stack.workdir / "beat-schedule"))
    try:
        # Beat does not die and does not drop the tick: it holds it and retries the broker.
        wait_until(
            lambda: beat.log().count("beat: Connection error") >= 2 or beat.dead(),
            what="beat retrying the broker while Redis is down",
            log=beat.log,
        )
        assert not beat.dead(), beat.log()
        assert not worker.dead(), worker.log()
        # Nothing ran, nothing was half done.
        assert link_counts(stack, url) == {"active": 30}
        assert job_runs(stack, "expire_invitations") == []

        stack.redis.start()

        wait_until(
            lambda: link_counts(stack, url) == {"active": 5, "expired": 25},
            what="links past their term expired after Redis returned",
            log=lambda: worker.log() + beat.log(),
        )
        runs = wait_until(lambda: job_runs(stack, "expire_invitations"), what="a recorded run")
        assert runs[0][:2] == ("success", 25)
        assert all(status == "success" and rows == 0 for status, rows, _ in runs[1:])
        assert not beat.dead() and not worker.dead()
    finally:
        beat.stop()
        worker.stop()
        stack.manage(
            "shell",
            "-c",
            (
                "from django_celery_beat.models import PeriodicTask\n"
                "PeriodicTask.objects.filter(name='faults: expire links').delete()\n"
            ),
        )
        stack.pg.psql("DELETE FROM compliance_jobrun")


# === a worker killed in the middle of a job =======================================================


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return children


def job_updates_executing(stack: Stack) -> int:
    return int(
        stack.pg.psql(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
            " AND query LIKE 'UPDATE \"invitations_invitation\"%'"
        )
    )


def send_expire_job_and_wait_for_its_update(stack: Stack, worker) -> None:
    """Queue the expiry job and return once the worker is in the middle of it: its run is recorded
    as running and its UPDATE is executing."""
    wait_until(
        lambda: "ready." in worker.log() or worker.dead(), what="worker ready", log=worker.log
    )
    stack.manage(
        "shell",
        "-c",
        "from invitations.tasks import expire_unused_invitations\n"
        "expire_unused_invitations.delay()\n",
    )
    wait_until(
        lambda: job_updates_executing(stack) == 1,
        what="the job's UPDATE executing",
        log=worker.log,
        interval=0.05,
    )


def test_a_worker_killed_mid_job_is_redelivered_and_counts_stay_right(stack, redis_up):
    url = "https://sferum.ru/?invite=kill-"
    insert_links(stack, count=DUE_LINKS, expires="now() - interval '1 hour'", platform_url=url)
    insert_links(stack, count=50, expires="now() + interval '7 days'", platform_url=url + "future-")
    worker = stack.celery(
        "worker",
        "--pool",
        "prefork",
        "--concurrency",
        "1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        "faults-kill@%h",
    )
    try:
        send_expire_job_and_wait_for_its_update(stack, worker)
        assert job_runs(stack, "expire_invitations") == [("running", 0, "")]
        pool = _children(worker.popen.pid)
        assert len(pool) == 1, pool

        os.kill(pool[0], signal.SIGKILL)

        wait_until(
            lambda: "WorkerLostError" in worker.log(),
            what="the worker noticing its lost process",
            log=worker.log,
        )
        wait_until(
            lambda: any(
                status == "success" for status, _, _ in job_runs(stack, "expire_invitations")
            ),
            what="the redelivered run to succeed",
            log=worker.log,
            timeout=180,
        )
        assert (
            worker.log().count("Task invitations.tasks.expire_unused_invitations[") >= 2
        )  # received twice
        assert not worker.dead()
    finally:
        worker.stop()

    # The next run of the job (as an operator would start it) finds nothing left to do.
    stack.manage("run_job", "expire_invitations")

    assert link_counts(stack, url) == {"active": 50, "expired": DUE_LINKS}
    assert (
        stack.pg.psql(
            f"SELECT count(*) FROM invitations_invitation WHERE platform_url LIKE '{url}%'"
            " AND status = 'expired' AND (annulled_at IS NULL OR annul_reason = '')"
        )
        == "0"
    )
    runs = job_runs(stack, "expire_invitations")
    # The killed run's UPDATE was rolled back with its session: the redelivered run did all of it.
    assert runs == [
        ("failed", 0, INTERRUPTED_ERROR),
        ("success", DUE_LINKS, ""),
        ("success", 0, ""),
    ]
    stack.pg.psql("DELETE FROM compliance_jobrun")


def test_a_whole_worker_killed_mid_job_leaves_the_work_to_the_next_run(stack, redis_up):
    """SIGKILL to the worker itself (solo pool: the job runs in it). Nobody is left to requeue the
    message, which stays unacknowledged in Redis until the visibility timeout; the next run (here
    started by hand, as ``run_job``; otherwise the next tick of beat) does the whole work."""
    import redis

    url = "https://sferum.ru/?invite=solo-"
    insert_links(stack, count=DUE_LINKS, expires="now() - interval '1 hour'", platform_url=url)
    worker = stack.celery(
        "worker",
        "--pool",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        "faults-solo@%h",
    )
    try:
        send_expire_job_and_wait_for_its_update(stack, worker)
        assert job_runs(stack, "expire_invitations") == [("running", 0, "")]

        os.kill(worker.popen.pid, signal.SIGKILL)

        worker.popen.wait(timeout=10)
        # The dead worker's session ends, and its UPDATE is rolled back with it.
        wait_until(
            lambda: job_updates_executing(stack) == 0, what="the dead worker's UPDATE ending"
        )
    finally:
        worker.stop()
    assert link_counts(stack, url) == {"active": DUE_LINKS}
    broker = redis.Redis.from_url(stack.redis.url)
    assert broker.hlen("unacked") == 1  # the message is kept, not lost
    broker.close()

    stack.manage("run_job", "expire_invitations")

    assert link_counts(stack, url) == {"expired": DUE_LINKS}
    assert job_runs(stack, "expire_invitations") == [
        ("failed", 0, INTERRUPTED_ERROR),
        ("success", DUE_LINKS, ""),
    ]
    stack.pg.psql("DELETE FROM compliance_jobrun")


# === PostgreSQL restarted =========================================================================


def snapshot_successes(stack: Stack) -> int:
    return sum(status == "success" for status, _, _ in job_runs(stack, "snapshot"))


def test_the_web_and_worker_processes_reconnect_after_postgresql_restarts(
    stack, web, postgres_up, redis_up
):
    client = Client(web.base_url)
    token = client.token("coordinator")
    client.login("director")
    assert client.get("/api/v1/orders/", token=token)[0] == 200
    assert healthz(client)[:2] == (200, {"database": "ok", "broker": "ok"})
    gunicorn_workers = _children(web.popen.pid)
    worker = stack.celery(
        "worker",
        "--pool",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        "faults-pg@%h",
    )
    try:
        wait_until(
            lambda: "ready." in worker.log() or worker.dead(), what="worker ready", log=worker.log
        )
        send_snapshot = (
            "shell",
            "-c",
            "from board.tasks import snapshot_dashboard\nsnapshot_dashboard.delay()\n",
        )
        stack.manage(*send_snapshot)
        wait_until(lambda: snapshot_successes(stack) == 1, what="a snapshot run", log=worker.log)

        stack.pg.stop()

        status, body, _ = healthz(client)
        assert (status, body) == (503, {"database": "error", "broker": "ok"})
        assert client.get("/api/v1/orders/", token=token)[0] >= 500

        stack.pg.start()

        assert healthz(client)[:2] == (200, {"database": "ok", "broker": "ok"})
        status, orders, _ = client.get("/api/v1/orders/", token=token)
        assert status == 200 and json.loads(orders)["count"] >= 1
        assert client.get("/", timeout=30)[0] == 200
        assert client.get("/orders/")[0] == 200

        # A restart while idle between requests (the persistent connection is silently dead).
        stack.pg.ctl("restart", "-m", "fast")

        assert client.get("/api/v1/invitations/", token=token)[0] == 200
        assert healthz(client)[:2] == (200, {"database": "ok", "broker": "ok"})
        # The same processes served it all: nothing was restarted to reconnect.
        assert not web.dead() and _children(web.popen.pid) == gunicorn_workers

        stack.manage(*send_snapshot)  # the worker's connection died with the restart too
        wait_until(
            lambda: snapshot_successes(stack) == 2,
            what="a snapshot run after the restart",
            log=worker.log,
        )
        assert job_runs(stack, "snapshot")[-1][0] == "success"
        assert not worker.dead()
    finally:
        worker.stop()
        stack.pg.psql("DELETE FROM compliance_jobrun")


# === closing the runs a killed process left running (orders/jobs.py) ==============================


@pytest.mark.django_db(transaction=True)
def test_a_run_left_running_by_a_dead_process_is_closed_as_failed_by_the_next_run():
    dead = JobRun.objects.create(
        name="snapshot", started_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    other_job = JobRun.objects.create(name="check_deadlines", started_at=dead.started_at)

    with recorded_run("snapshot"):
        pass

    dead.refresh_from_db()
    assert (dead.status, dead.error) == (JobRun.Status.FAILED, INTERRUPTED_ERROR)
    assert dead.finished_at is not None
    other_job.refresh_from_db()
    assert other_job.status == JobRun.Status.RUNNING  # another job's run is not this job's business


@pytest.mark.django_db(transaction=True)
def test_a_run_still_alive_in_another_process_is_left_running():
    """Two runs at once (two workers): the second cannot take the job's lock, so it leaves the
    first, alive, run alone."""
    import threading

    from django.db import connection

    errors = []

    def second_worker():
        try:
            with recorded_run("snapshot"):
                pass
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    with recorded_run("snapshot"):
        alive = JobRun.objects.get(name="snapshot")
        thread = threading.Thread(target=second_worker)
        thread.start()
        thread.join(30)
        assert not errors
        alive.refresh_from_db()
        assert alive.status == JobRun.Status.RUNNING
    alive.refresh_from_db()
    assert alive.status == JobRun.Status.SUCCESS
    assert JobRun.objects.filter(name="snapshot", status=JobRun.Status.SUCCESS).count() == 2
