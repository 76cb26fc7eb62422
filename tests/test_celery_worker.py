"""The jobs through a REAL Celery worker and the REAL Redis broker.

The test starts ``celery -A gymnasium_portal worker`` as a subprocess pointed at the test database,
sends the task with ``.delay()`` from this process and polls the database until the worker's write
appears (with a deadline, never a fixed sleep). The broker is ``CELERY_BROKER_URL`` from the
environment, ``redis://127.0.0.1:6379/15`` when unset.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from chats.models import ChatKind
from chats.services import chat_requirements_create_defaults
from chats.tasks import flag_missing_chats
from compliance.models import Finding, JobRun
from gymnasium_portal.celery import app as celery_app
from invitations.models import Invitation
from invitations.tasks import expire_unused_invitations

from .factories import InvitationFactory

pytestmark = pytest.mark.worker

BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"
DEADLINE_SECONDS = 60  # generous: the machine is shared; a healthy run takes a few seconds
PROJECT_ROOT = Path(settings.BASE_DIR)

if not BROKER_URL.startswith("redis://"):
    pytest.skip(
        f"the worker tests need a real Redis broker; CELERY_BROKER_URL is {BROKER_URL.split(':', 1)[0]}://",
        allow_module_level=True,
    )


def worker_database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":  # make test-sqlite: the test database's file
        return f"sqlite:///{db['NAME']}"
    assert db["ENGINE"] == "django.db.backends.postgresql", "the worker tests need PostgreSQL"
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{credentials}@{db.get('HOST') or '127.0.0.1'}:"
        f"{db.get('PORT') or 5432}/{db['NAME']}"
    )


def wait_for(condition, *, worker, what: str):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker.process.poll() is not None:
            pytest.fail(
                f"the worker exited ({worker.process.returncode}) before {what}:\n{worker.log()}"
            )
        time.sleep(0.2)
    pytest.fail(f"no {what} within {DEADLINE_SECONDS} s; worker log:\n{worker.log()}")


class Worker:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process, self.log_path = process, log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def ran(self, task_id: str) -> bool:
        return any(task_id in line and "succeeded" in line for line in self.log().splitlines())


@pytest.fixture(scope="module")
def queue():
    """This process publishes to the same Redis the worker consumes, never eagerly, on a queue of
    its own: parallel test processes (xdist) or an earlier interrupted run cannot steal or inject
    messages."""
    conf = celery_app.conf
    saved = {
        key: conf[key]
        for key in (
            "broker_url",
            "broker_transport_options",
            "task_always_eager",
            "task_default_queue",
        )
    }
    if conf.broker_url != BROKER_URL:
        conf.broker_url, conf.broker_transport_options = BROKER_URL, {"visibility_timeout": 3600}
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
    conf.task_always_eager = False
    conf.task_default_queue = name = f"test-worker-{uuid.uuid4().hex}"
    yield name
    broker = redis.Redis.from_url(BROKER_URL)
    for key in broker.scan_iter(match=f"*{name}*"):  # the queue and kombu's bindings for it
        broker.delete(key)
    broker.close()
    conf.update(saved)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture(scope="module")
def worker(django_db_setup, queue, tmp_path_factory):
    """One ``celery worker`` for the module, on the test database
    (rows are committed by the tests)."""
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    env = os.environ | {
        "DATABASE_URL": worker_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",  # nothing stays connected to the test database after a task
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_SETTINGS_MODULE": "gymnasium_portal.settings",
        "LOG_LEVEL": "INFO",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "gymnasium_portal",
        "worker",
        "--pool",
        "solo",
        "--queues",
        queue,
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        f"test-{uuid.uuid4().hex[:8]}@%h",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    running = Worker(process, log_path)
    try:
        yield running
    finally:
        process.terminate()  # warm shutdown: the task in hand finishes first
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.django_db(transaction=True)
def test_worker_flags_a_missing_chat(worker, school, class_5a):
    chat_requirements_create_defaults(school=school)

    result = flag_missing_chats.delay()

    finding = wait_for(
        lambda: Finding.objects.filter(
            school_class=class_5a, chat_kind=ChatKind.CLASS_PARENTS
        ).first(),
        worker=worker,
        what="finding for the class without a parents' chat",
    )
    assert finding.resolved_at is None
    assert finding.school == school
    run = wait_for(
        lambda: JobRun.objects.filter(
            name="flag_missing_chats", status=JobRun.Status.SUCCESS
        ).first(),
        worker=worker,
        what="recorded run",
    )
    assert run.details["opened"] == 2 + 5  # the class's two chats and the five school-wide ones
    wait_for(
        lambda: worker.ran(result.id), worker=worker, what="log line of the task in the worker"
    )


@pytest.mark.django_db(transaction=True)
def test_worker_expires_unused_invitations(worker, class_5a):
    due = InvitationFactory(
        school_class=class_5a, expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    future = InvitationFactory(school_class=class_5a)

    result = expire_unused_invitations.delay()

    wait_for(
        lambda: Invitation.objects.filter(pk=due.pk, status=Invitation.Status.EXPIRED).exists(),
        worker=worker,
        what="expired link",
    )
    future.refresh_from_db()
    assert future.status == Invitation.Status.ACTIVE
    run = wait_for(
        lambda: JobRun.objects.filter(
            name="expire_invitations", status=JobRun.Status.SUCCESS
        ).first(),
        worker=worker,
        what="recorded run",
    )
    assert run.rows_changed == 1
    wait_for(
        lambda: worker.ran(result.id), worker=worker, what="log line of the task in the worker"
    )
