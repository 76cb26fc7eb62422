"""The max_sync job (API.md): every bound chat read, a 404 chat gone with a finding, errors recorded
per chat; run_job and the job table."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from chats.models import ChatKind
from chats.platform import CHAT_LOST_CHECK
from compliance.models import Finding, JobRun
from devtools.fake_max import chat_body
from gymnasium_portal.jobs import JOB_TABLE
from messenger.tasks import max_sync_job
from tests.factories import ChatFactory, SchoolClassFactory

KINDS = (ChatKind.CLASS_STUDENTS, ChatKind.CLASS_PARENTS)


@pytest.fixture
def bound(school, max_on):
    """Six chats bound to MAX chats -1 … -6, all shown by MAX with 20 participants."""
    chats = []
    for index in range(6):
        grade, letter = 7 + index // 2, "АБ"[index % 2]
        school_class = SchoolClassFactory(school=school, grade=grade, letter=letter)
        chat_id = -(index + 1)
        chats.append(
            ChatFactory(
                school_class=school_class,
                kind=KINDS[index % 2],
                url=f"https://max.ru/join/c{index}",
                platform_chat_id=chat_id,
                members_count=3,
            )
        )
        max_on.state.chats[chat_id] = chat_body(chat_id, participants_count=20 + index)
    return chats


@pytest.mark.django_db
def test_it_reads_every_bound_chat_and_records_when(bound, max_on):
    details = max_sync_job()
    assert details["chats_verified"] == 6
    for index, chat in enumerate(bound):
        chat.refresh_from_db()
        assert (chat.members_count, chat.members_source) == (20 + index, "platform")
        assert chat.verified_at is not None and chat.platform_error == ""
    assert JobRun.objects.get(name="max_sync").status == JobRun.Status.SUCCESS
    assert sorted(r.path for r in max_on.state.requests) == sorted(
        f"/chats/{-(i + 1)}" for i in range(6)
    )


@pytest.mark.django_db
def test_a_chat_that_404s_or_is_closed_is_gone_with_a_finding(bound, max_on):
    del max_on.state.chats[-1]
    max_on.state.chats[-2]["status"] = "closed"
    details = max_sync_job()
    assert (details["chats_verified"], details["chats_gone"]) == (4, 2)
    gone, closed = bound[0], bound[1]
    gone.refresh_from_db()
    closed.refresh_from_db()
    assert (gone.verified_at, gone.platform_status) == (None, "gone")
    assert (closed.verified_at, closed.platform_status) == (None, "closed")
    open_findings = Finding.objects.filter(check_key=CHAT_LOST_CHECK, resolved_at__isnull=True)
    assert set(open_findings.values_list("subject_key", flat=True)) == {
        f"chat:{gone.pk}",
        f"chat:{closed.pk}",
    }
    max_sync_job()  # idempotent: the same findings, none twice
    assert open_findings.count() == 2


@pytest.mark.django_db
def test_429_is_waited_out_and_errors_are_recorded_per_chat(bound, max_on, settings):
    settings.MAX_RETRIES = 1
    max_on.state.throttle_next["/chats/-3"] = 1
    max_on.state.retry_after = "1"
    max_on.state.fail_next["/chats/-4"] = 5  # beyond the retries: MAX down for this chat
    details = max_sync_job()
    assert details["chats_verified"] == 5 and details["chats_failed"] == 1
    throttled = [r.at for r in max_on.state.requests if r.path == "/chats/-3"]
    assert len(throttled) == 2 and throttled[1] - throttled[0] >= 1.0
    failed = bound[3]
    failed.refresh_from_db()
    assert "500" in failed.platform_error
    assert failed.verified_at is None  # never verified yet; not "gone" either
    assert not Finding.objects.filter(subject_key=f"chat:{failed.pk}").exists()


@pytest.mark.django_db
def test_run_job_runs_it_and_it_is_hourly(bound, max_on, capsys):
    assert JOB_TABLE["max_sync"].task == "messenger.tasks.max_sync"
    assert JOB_TABLE["max_sync"].crontab["hour"] == "*"
    call_command("run_job", "max_sync")
    assert "chats_verified" in capsys.readouterr().out


@pytest.mark.django_db
def test_off_it_does_nothing(bound, max_on, settings):
    settings.MAX_BOT_TOKEN = ""
    call_command("run_job", "max_sync")
    assert max_on.state.requests == []
    run = JobRun.objects.get(name="max_sync")
    assert run.status == JobRun.Status.SUCCESS and run.rows_changed == 0
    assert run.details == {"skipped": "MAX_BOT_TOKEN is not set"}
