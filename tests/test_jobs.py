"""The periodic jobs: set-based, exact, idempotent, recorded, and safe on two workers at once."""

from __future__ import annotations

import datetime
import io
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from chats import tasks as chat_tasks
from chats.flagging import CLASS_CHAT_MISSING, SCHOOL_CHAT_MISSING, chats_flag_missing
from chats.models import SCHOOL_KINDS, Chat, ChatKind, ChatRequirement
from chats.services import chat_requirements_create_defaults
from chats.tasks import flag_missing_chats
from compliance.jobs import RunReport, recorded_run
from compliance.models import Finding, JobRun
from gymnasium_portal.celery import app as celery_app
from gymnasium_portal.jobs import JOBS
from invitations.models import Invitation
from invitations.services import (
    EXPIRED_PARTLY_USED_REASON,
    EXPIRED_UNUSED_REASON,
    invitations_expire_unused,
)
from invitations.tasks import expire_unused_invitations
from roster.services import schoolclass_archive
from staff.models import SchoolClass

from .factories import ChatFactory, InvitationFactory, SchoolClassFactory, SchoolFactory

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def rows(model, **filters):
    """Every column of every matching row, to compare before and after a run."""
    return list(model.objects.filter(**filters).order_by("pk").values())


# === expire unused invitations ===============================================================


@pytest.fixture
def links(class_5a, other_school_class):
    """One link of every kind the expire job must tell apart; ``now`` is the run's clock."""
    now = timezone.now()
    made = {
        "due unused": InvitationFactory(school_class=class_5a, expires_at=now - HOUR),
        "due partly used": InvitationFactory(
            school_class=class_5a, expires_at=now - DAY, max_uses=30, uses=4
        ),
        "due this instant": InvitationFactory(school_class=class_5a, expires_at=now),
        "due in another school": InvitationFactory(
            school_class=other_school_class, expires_at=now - HOUR
        ),
        "future": InvitationFactory(
            school_class=class_5a, expires_at=now + datetime.timedelta(minutes=10)
        ),
        "used up": InvitationFactory(
            school_class=class_5a, expires_at=now - HOUR, status=Invitation.Status.USED, uses=1
        ),
        "already annulled": InvitationFactory(
            school_class=class_5a,
            expires_at=now - HOUR,
            status=Invitation.Status.ANNULLED,
            annulled_at=now - DAY,
            annul_reason="Аннулирована вручную",
        ),
        "already expired": InvitationFactory(
            school_class=class_5a,
            expires_at=now - DAY,
            status=Invitation.Status.EXPIRED,
            annulled_at=now - DAY,
            annul_reason=EXPIRED_UNUSED_REASON,
        ),
    }
    return now, made


DUE = ("due unused", "due partly used", "due this instant", "due in another school")


@pytest.mark.django_db
def test_expire_retires_exactly_the_active_links_past_their_term(links):
    now, made = links
    untouched = [made[name].pk for name in made if name not in DUE]
    before = rows(Invitation, pk__in=untouched)

    assert invitations_expire_unused(now=now) == len(DUE)

    for name in DUE:
        invitation = Invitation.objects.get(pk=made[name].pk)
        assert invitation.status == Invitation.Status.EXPIRED, name
        assert invitation.annulled_at == now, name
        assert invitation.updated_at == now, name
        assert invitation.annulled_by is None, name
    assert rows(Invitation, pk__in=untouched) == before


@pytest.mark.django_db
def test_expire_records_why(links):
    now, made = links

    invitations_expire_unused(now=now)

    reasons = dict(
        Invitation.objects.filter(pk__in=[i.pk for i in made.values()]).values_list(
            "pk", "annul_reason"
        )
    )
    assert reasons[made["due unused"].pk] == EXPIRED_UNUSED_REASON
    assert reasons[made["due partly used"].pk] == EXPIRED_PARTLY_USED_REASON
    assert reasons[made["already annulled"].pk] == "Аннулирована вручную"
    assert EXPIRED_UNUSED_REASON != EXPIRED_PARTLY_USED_REASON


@pytest.mark.django_db
def test_expire_twice_changes_nothing_the_second_time(links):
    now, made = links
    first = RunReport()
    invitations_expire_unused(now=now, report=first)
    after_first = rows(Invitation)
    second = RunReport()

    assert invitations_expire_unused(now=now + datetime.timedelta(minutes=1), report=second) == 0

    assert rows(Invitation) == after_first
    assert (first.details, first.rows_changed) == ({"expired": len(DUE)}, len(DUE))
    assert (second.details, second.rows_changed) == ({"expired": 0}, 0)


@pytest.mark.django_db
def test_expire_is_one_statement_whatever_the_number_of_links(class_5a):
    InvitationFactory.create_batch(25, school_class=class_5a, expires_at=timezone.now() - HOUR)

    with CaptureQueriesContext(connection) as queries:
        assert invitations_expire_unused() == 25

    assert len(queries) == 1
    assert queries[0]["sql"].startswith("UPDATE")


# === flag missing chats ======================================================================


def flagged(details):
    """The flag job's own counts (the task may report more, e.g. the e-mail digest's)."""
    return {key: details[key] for key in ("opened", "resolved")}


def open_findings(**filters):
    return set(
        Finding.objects.filter(resolved_at__isnull=True, **filters).values_list(
            "school_id", "check_key", "subject_key"
        )
    )


def class_subject(school_class, kind):
    return (school_class.school_id, CLASS_CHAT_MISSING, f"class:{school_class.pk}:{kind}")


def school_subject(school, kind):
    return (school.pk, SCHOOL_CHAT_MISSING, f"school:{school.pk}:{kind}")


def school_chat(school, kind, **fields):
    return ChatFactory(school=school, school_class=None, kind=kind, **fields)


@pytest.fixture
def chat_school(school, class_5a, class_5b):
    """Order No. 883's requirements; 5А has both chats, 5Б only the students' one;
    3 of 5 school chats."""
    chat_requirements_create_defaults(school=school)
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_STUDENTS)
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_PARENTS)
    ChatFactory(school_class=class_5b, kind=ChatKind.CLASS_STUDENTS)
    ChatFactory(school_class=class_5b, kind=ChatKind.CLASS_PARENTS, status=Chat.Status.ARCHIVED)
    ChatFactory(school_class=class_5b, kind=ChatKind.CLASS_OTHER)
    for kind in SCHOOL_KINDS[:3]:
        school_chat(school, kind)
    return school


@pytest.fixture
def expected(chat_school, class_5b):
    return {class_subject(class_5b, ChatKind.CLASS_PARENTS)} | {
        school_subject(chat_school, kind) for kind in SCHOOL_KINDS[3:]
    }


@pytest.mark.django_db
def test_flag_opens_one_finding_per_missing_chat(chat_school, class_5b, expected):
    now = timezone.now()

    report = chats_flag_missing(now=now)

    assert open_findings() == expected
    assert report.details == {"opened": 3, "resolved": 0}
    finding = Finding.objects.get(subject_key=f"class:{class_5b.pk}:{ChatKind.CLASS_PARENTS}")
    assert (finding.school_class, finding.chat_kind, finding.opened_at) == (
        class_5b,
        ChatKind.CLASS_PARENTS,
        now,
    )
    assert "родителями" in finding.message
    school_finding = Finding.objects.get(check_key=SCHOOL_CHAT_MISSING, chat_kind=SCHOOL_KINDS[3])
    assert school_finding.school_class is None
    assert school_finding.school == chat_school
    assert "п. 6" in school_finding.message


@pytest.mark.django_db
def test_flag_covers_every_required_kind_of_every_class(school):
    """Two classes without any chat and an extra class_other requirement for grades 10–11."""
    chat_requirements_create_defaults(school=school)
    ChatRequirement.objects.create(
        school=school, kind=ChatKind.CLASS_OTHER, min_grade=10, max_grade=11
    )
    young = SchoolClassFactory(school=school, grade=1, letter="А")
    senior = SchoolClassFactory(school=school, grade=11, letter="А")

    chats_flag_missing(now=timezone.now())

    assert open_findings(check_key=CLASS_CHAT_MISSING) == {
        class_subject(young, ChatKind.CLASS_STUDENTS),
        class_subject(young, ChatKind.CLASS_PARENTS),
        class_subject(senior, ChatKind.CLASS_STUDENTS),
        class_subject(senior, ChatKind.CLASS_PARENTS),
        class_subject(senior, ChatKind.CLASS_OTHER),
    }
    assert open_findings(check_key=SCHOOL_CHAT_MISSING) == {
        school_subject(school, kind) for kind in SCHOOL_KINDS
    }


@pytest.mark.django_db
def test_flag_skips_grades_outside_the_requirement_and_archived_classes(school, class_5a):
    ChatRequirement.objects.create(
        school=school, kind=ChatKind.CLASS_PARENTS, min_grade=6, max_grade=11
    )
    SchoolClassFactory(
        school=school, grade=7, status=SchoolClass.Status.ARCHIVED
    )  # in range, archived

    chats_flag_missing(now=timezone.now())

    assert open_findings() == set()


@pytest.mark.django_db
def test_flag_respects_the_grace_period_of_new_classes(school):
    school.new_class_grace_days = 7
    school.save()
    chat_requirements_create_defaults(school=school)
    new = SchoolClassFactory(school=school, grade=2, letter="А")
    settled = SchoolClassFactory(school=school, grade=2, letter="Б")
    now = timezone.now()
    SchoolClass.objects.filter(pk=new.pk).update(
        created_at=now - datetime.timedelta(days=6, hours=23)
    )
    SchoolClass.objects.filter(pk=settled.pk).update(created_at=now - datetime.timedelta(days=7))

    chats_flag_missing(now=now)

    assert open_findings(check_key=CLASS_CHAT_MISSING) == {
        class_subject(settled, ChatKind.CLASS_STUDENTS),
        class_subject(settled, ChatKind.CLASS_PARENTS),
    }
    chats_flag_missing(now=now + 2 * HOUR)  # the new class's grace is over now
    assert class_subject(new, ChatKind.CLASS_PARENTS) in open_findings()


@pytest.mark.django_db
def test_flag_uses_each_schools_own_grace_period(school, other_school):
    school.new_class_grace_days = 7
    school.save()
    other_school.new_class_grace_days = 30
    other_school.save()
    now = timezone.now()
    classes = []
    for each in (school, other_school):
        chat_requirements_create_defaults(school=each)
        classes.append(SchoolClassFactory(school=each, grade=3, letter="А"))
    SchoolClass.objects.filter(pk__in=[c.pk for c in classes]).update(created_at=now - 10 * DAY)

    chats_flag_missing(now=now)

    flagged_classes = set(
        Finding.objects.filter(check_key=CLASS_CHAT_MISSING).values_list("school_class", flat=True)
    )
    assert flagged_classes == {classes[0].pk}


@pytest.mark.django_db
def test_flag_resolves_the_finding_when_the_chat_appears(chat_school, class_5b):
    now = timezone.now()
    chats_flag_missing(now=now)
    ChatFactory(school_class=class_5b, kind=ChatKind.CLASS_PARENTS)
    school_chat(chat_school, SCHOOL_KINDS[3])

    report = chats_flag_missing(now=now + HOUR)

    assert report.details == {"opened": 0, "resolved": 2}
    resolved = Finding.objects.filter(resolved_at=now + HOUR)
    assert set(resolved.values_list("subject_key", flat=True)) == {
        f"class:{class_5b.pk}:{ChatKind.CLASS_PARENTS}",
        f"school:{chat_school.pk}:{SCHOOL_KINDS[3]}",
    }
    assert open_findings() == {school_subject(chat_school, SCHOOL_KINDS[4])}


@pytest.mark.django_db
def test_flag_resolves_when_the_class_is_archived(chat_school, class_5b):
    now = timezone.now()
    chats_flag_missing(now=now)
    schoolclass_archive(school_class=class_5b)

    report = chats_flag_missing(now=now + HOUR)

    assert report.details["resolved"] == 1
    assert Finding.objects.get(school_class=class_5b).resolved_at == now + HOUR


@pytest.mark.django_db
def test_flag_resolves_when_the_requirement_is_switched_off(chat_school, class_5b):
    now = timezone.now()
    chats_flag_missing(now=now)
    ChatRequirement.objects.filter(
        school=chat_school, kind__in=[ChatKind.CLASS_PARENTS, SCHOOL_KINDS[3]]
    ).update(is_required=False)

    report = chats_flag_missing(now=now + HOUR)

    assert report.details == {"opened": 0, "resolved": 2}
    assert open_findings() == {school_subject(chat_school, SCHOOL_KINDS[4])}


@pytest.mark.django_db
def test_flag_resolves_when_the_class_leaves_the_required_grades(chat_school, class_5b):
    now = timezone.now()
    chats_flag_missing(now=now)
    ChatRequirement.objects.filter(school=chat_school, kind=ChatKind.CLASS_PARENTS).update(
        min_grade=6
    )

    chats_flag_missing(now=now + HOUR)

    assert class_subject(class_5b, ChatKind.CLASS_PARENTS) not in open_findings()


@pytest.mark.django_db
def test_resolved_findings_stay_resolved_and_a_new_gap_opens_a_new_one(chat_school, class_5b):
    now = timezone.now()
    chats_flag_missing(now=now)
    parents_chat = ChatFactory(school_class=class_5b, kind=ChatKind.CLASS_PARENTS)
    chats_flag_missing(now=now + HOUR)
    history = rows(Finding, school_class=class_5b)

    assert chats_flag_missing(now=now + 2 * HOUR).details == {"opened": 0, "resolved": 0}
    assert rows(Finding, school_class=class_5b) == history  # not reopened, not touched

    parents_chat.status = Chat.Status.ARCHIVED
    parents_chat.save()
    chats_flag_missing(now=now + 3 * HOUR)

    findings = list(Finding.objects.filter(school_class=class_5b).order_by("opened_at"))
    assert [(f.opened_at, f.resolved_at) for f in findings] == [
        (now, now + HOUR),
        (now + 3 * HOUR, None),
    ]


@pytest.mark.django_db
def test_flag_twice_changes_nothing_the_second_time(chat_school, expected):
    now = timezone.now()
    chats_flag_missing(now=now)
    after_first = rows(Finding)

    report = chats_flag_missing(now=now + HOUR)

    assert report.details == {"opened": 0, "resolved": 0}
    assert report.rows_changed == 0
    assert rows(Finding) == after_first
    assert open_findings() == expected


@pytest.mark.django_db
def test_flag_never_mixes_schools(chat_school, expected, other_school, other_school_class):
    """Another school's chats do not satisfy this school's requirements, nor the other way round."""
    chat_requirements_create_defaults(school=other_school)
    for kind in SCHOOL_KINDS[3:]:
        school_chat(other_school, kind)  # the kinds chat_school lacks
    ChatFactory(school_class=other_school_class, kind=ChatKind.CLASS_STUDENTS)
    ChatFactory(school_class=other_school_class, kind=ChatKind.CLASS_PARENTS)
    schoolless = SchoolFactory()
    SchoolClassFactory(school=schoolless)  # a school with no requirements: nothing to flag

    chats_flag_missing(now=timezone.now())

    assert open_findings(school=chat_school) == expected
    assert open_findings(school=other_school) == {
        school_subject(other_school, kind) for kind in SCHOOL_KINDS[:3]
    }
    assert open_findings(school=schoolless) == set()


@pytest.mark.django_db
def test_a_resolved_school_finding_is_not_resolved_by_another_schools_chat(
    chat_school, other_school
):
    chat_requirements_create_defaults(school=other_school)
    now = timezone.now()
    chats_flag_missing(now=now)
    school_chat(chat_school, SCHOOL_KINDS[4])

    chats_flag_missing(now=now + HOUR)

    assert school_subject(other_school, SCHOOL_KINDS[4]) in open_findings()
    assert school_subject(chat_school, SCHOOL_KINDS[4]) not in open_findings()


@pytest.mark.django_db
def test_a_worker_with_a_slower_clock_still_resolves(chat_school, class_5b):
    """Workers on several machines: one may resolve what another, whose clock runs ahead, opened."""
    now = timezone.now()
    chats_flag_missing(now=now)
    ChatFactory(school_class=class_5b, kind=ChatKind.CLASS_PARENTS)

    chats_flag_missing(now=now - datetime.timedelta(seconds=5))

    finding = Finding.objects.get(school_class=class_5b)
    assert finding.resolved_at == finding.opened_at == now


@pytest.mark.django_db
def test_flag_on_an_empty_database_does_nothing():
    """A fresh deployment: no school, no requirement — a run succeeds and opens nothing."""
    assert chats_flag_missing(now=timezone.now()).details == {"opened": 0, "resolved": 0}
    assert not Finding.objects.exists()


@pytest.mark.django_db
def test_flag_runs_a_fixed_number_of_statements_whatever_the_size(school):
    chat_requirements_create_defaults(school=school)

    def statements(classes):
        for number in range(SchoolClass.objects.count(), SchoolClass.objects.count() + classes):
            SchoolClassFactory(school=school, grade=1 + number % 11, letter=f"Ш{number}")
        with CaptureQueriesContext(connection) as queries:
            chats_flag_missing(now=timezone.now() + HOUR)
        return len(queries)

    assert statements(2) == statements(40)


# === recording of runs =======================================================================


@pytest.mark.django_db
def test_each_task_run_is_recorded(chat_school, expected, links):
    _now, _made = links
    before = timezone.now()

    flag_details = flag_missing_chats()
    expire_details = expire_unused_invitations()

    runs = {run.name: run for run in JobRun.objects.all()}
    assert set(runs) == {"flag_missing_chats", "expire_invitations"}
    flag, expire = runs["flag_missing_chats"], runs["expire_invitations"]
    assert flag_details == flag.details
    assert flagged(flag.details) == {"opened": len(expected), "resolved": 0}
    # The "future" link, unused and ending within the warning period, gets its finding (DESIGN §6).
    assert (
        expire_details
        == expire.details
        == {"expired": len(DUE), "expiring_flagged": 1, "expiring_resolved": 0}
    )
    for run, changed in ((flag, len(expected)), (expire, len(DUE) + 1)):
        assert run.status == JobRun.Status.SUCCESS
        assert run.rows_changed == changed
        assert before <= run.started_at <= run.finished_at <= timezone.now()
        assert run.error == ""


@pytest.mark.django_db
def test_a_run_with_nothing_to_do_is_recorded_too(db):
    expire_unused_invitations()

    run = JobRun.objects.get()
    assert (run.name, run.status, run.rows_changed) == (
        "expire_invitations",
        JobRun.Status.SUCCESS,
        0,
    )


@pytest.mark.django_db
def test_a_failing_job_is_recorded_as_failed_with_the_error(monkeypatch, chat_school):
    def broken(*, report, **kwargs):
        report.add("opened", 2)
        raise RuntimeError("база недоступна")

    monkeypatch.setattr(chat_tasks, "chats_flag_missing", broken)

    with pytest.raises(RuntimeError):
        flag_missing_chats()

    run = JobRun.objects.get()
    assert run.name == "flag_missing_chats"
    assert run.status == JobRun.Status.FAILED
    assert run.finished_at is not None
    assert "RuntimeError" in run.error and "база недоступна" in run.error
    assert (run.rows_changed, run.details) == (2, {"opened": 2})


@pytest.mark.django_db
def test_recorded_run_marks_running_while_the_job_runs(db):
    with recorded_run("snapshot"):
        assert JobRun.objects.get().status == JobRun.Status.RUNNING
        assert JobRun.objects.get().finished_at is None
    assert JobRun.objects.get().status == JobRun.Status.SUCCESS


# === two workers at once =====================================================================


def run_concurrently(job, workers=2):
    """Start ``job`` in ``workers`` threads, each on its own database connection, at one instant."""
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(job())
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == workers
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_workers_expire_each_link_exactly_once(links, round_):
    now, _made = links
    InvitationFactory.create_batch(
        200, school_class=SchoolClass.objects.first(), expires_at=now - HOUR
    )

    results = run_concurrently(expire_unused_invitations)

    assert sum(result["expired"] for result in results) == len(DUE) + 200
    assert Invitation.objects.filter(status=Invitation.Status.EXPIRED).count() == len(DUE) + 200 + 1
    runs = JobRun.objects.filter(name="expire_invitations")
    assert [run.status for run in runs] == [JobRun.Status.SUCCESS] * 2
    # …and the one unused link about to expire is flagged once between the two.
    assert sum(result["expiring_flagged"] for result in results) == 1
    assert sum(run.rows_changed for run in runs) == len(DUE) + 200 + 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_workers_flag_each_missing_chat_exactly_once(chat_school, expected, round_):
    for letter in "ВГДЕЖИКЛМН":
        SchoolClassFactory(school=chat_school, grade=9, letter=letter)
    total = len(expected) + 2 * 10

    results = run_concurrently(flag_missing_chats)

    assert sum(result["opened"] for result in results) == total
    assert Finding.objects.count() == total
    assert len(open_findings()) == total
    assert sum(run.rows_changed for run in JobRun.objects.all()) == total

    ChatFactory(
        school_class=SchoolClass.objects.get(school=chat_school, grade=9, letter="В"),
        kind=ChatKind.CLASS_PARENTS,
    )
    results = run_concurrently(flag_missing_chats)

    assert sum(result["resolved"] for result in results) == 1
    assert sum(result["opened"] for result in results) == 0
    assert len(open_findings()) == total - 1


# === management commands =====================================================================


@pytest.mark.django_db
def test_run_job_expire_invitations(links):
    out = io.StringIO()

    call_command("run_job", "expire_invitations", stdout=out)

    assert f"'expired': {len(DUE)}" in out.getvalue()
    assert Invitation.objects.filter(status=Invitation.Status.EXPIRED).count() == len(DUE) + 1
    assert JobRun.objects.get().name == "expire_invitations"


@pytest.mark.django_db
def test_run_job_flag_missing_chats(chat_school, expected):
    out = io.StringIO()

    call_command("run_job", "flag_missing_chats", stdout=out)

    assert f"'opened': {len(expected)}" in out.getvalue()
    assert open_findings() == expected
    assert JobRun.objects.get().name == "flag_missing_chats"


@pytest.mark.django_db
def test_run_job_refuses_an_unknown_name():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("run_job", "no_such_job")


@pytest.mark.django_db
def test_setup_periodic_tasks_twice_gives_the_four_jobs_for_the_database_scheduler():
    call_command("setup_periodic_tasks", stdout=io.StringIO())
    call_command("setup_periodic_tasks", stdout=io.StringIO())

    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    tasks = PeriodicTask.objects.select_related("crontab")
    assert sorted(task.task for task in tasks) == sorted(JOBS.values())
    assert all(task.enabled and task.crontab is not None for task in tasks)
    hourly = tasks.get(task=JOBS["expire_invitations"]).crontab
    assert (hourly.minute, hourly.hour, str(hourly.timezone)) == ("5", "*", "Europe/Moscow")
    for task in tasks:  # the scheduler beat runs with can turn every row into an entry
        entry = DatabaseScheduler.Entry(task, app=celery_app)
        assert entry.task == task.task
        assert entry.schedule.remaining_estimate(timezone.now()) <= datetime.timedelta(days=1)
    assert CrontabSchedule.objects.count() == len(JOBS)


@pytest.mark.django_db
def test_setup_periodic_tasks_keeps_what_the_admin_edited():
    call_command("setup_periodic_tasks", stdout=io.StringIO())
    edited = PeriodicTask.objects.get(task=JOBS["flag_missing_chats"])
    at_night, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="3", timezone="Europe/Moscow"
    )
    edited.crontab = at_night
    edited.enabled = False
    edited.save()
    out = io.StringIO()

    call_command("setup_periodic_tasks", stdout=out)

    edited.refresh_from_db()
    assert (edited.crontab_id, edited.enabled) == (at_night.pk, False)
    assert PeriodicTask.objects.count() == len(JOBS)
    assert "created" not in out.getvalue()


@pytest.mark.django_db
def test_run_job_all_runs_every_job_once_in_table_order():
    """``make run`` starts with ``run_job --all``: every job has run before the first page."""
    out = io.StringIO()
    call_command("run_job", all=True, stdout=out)
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == list(JOBS)
    assert sorted(JobRun.objects.values_list("name", flat=True)) == sorted(JOBS)
    assert not JobRun.objects.exclude(status=JobRun.Status.SUCCESS).exists()


def test_run_job_needs_a_name_or_all():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("run_job")
