"""findings_sync: open findings follow what is missing: opened once, resolved when fixed."""

import datetime

import pytest
from django.db import connection
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.models import Finding
from compliance.services import findings_sync
from staff.models import SchoolClass
from tests.factories import PersonFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
NO_TEACHER = "test_class_without_teacher"
NO_STUDENTS = "test_class_without_students"


def subject_key(prefix="class:"):
    return Concat(Value(prefix), Cast("pk", CharField()), output_field=CharField())


def without_teacher(**filters):
    """The subjects of a made-up check: classes that have no class teacher."""
    return (
        SchoolClass.objects.filter(class_teacher__isnull=True, **filters)
        .order_by()
        .values(
            "school",
            school_class=F("pk"),
            subject_key=subject_key(),
            message=Value("Нет классного руководителя", output_field=CharField()),
        )
    )


def without_students():
    return SchoolClass.objects.filter(students_expected=0).values(
        "school", subject_key=subject_key()
    )


def sync_no_teacher(now, **kwargs):
    return findings_sync(check=NO_TEACHER, subjects=without_teacher(), now=now, **kwargs)


def give_teacher(school_class):
    SchoolClass.objects.filter(pk=school_class.pk).update(
        class_teacher=PersonFactory(school=school_class.school)
    )


def open_keys(check=NO_TEACHER):
    return set(
        Finding.objects.filter(check_key=check, resolved_at__isnull=True).values_list(
            "subject_key", flat=True
        )
    )


def rows():
    return list(Finding.objects.order_by("pk").values())


def test_it_opens_one_finding_per_missing_subject(school, class_5a, class_5b):
    give_teacher(class_5a)
    now = timezone.now()

    assert sync_no_teacher(now) == (1, 0)

    finding = Finding.objects.get()
    assert (finding.check_key, finding.subject_key) == (NO_TEACHER, f"class:{class_5b.pk}")
    assert (finding.school, finding.school_class, finding.order_point) == (school, class_5b, None)
    assert (finding.message, finding.chat_kind) == ("Нет классного руководителя", "")
    assert (finding.opened_at, finding.resolved_at, finding.notified_at) == (now, None, None)


def test_a_second_run_changes_nothing(class_5a, class_5b):
    now = timezone.now()
    sync_no_teacher(now)
    before = rows()

    assert sync_no_teacher(now + HOUR) == (0, 0)
    assert rows() == before


def test_it_resolves_what_is_fixed_and_only_that(class_5a, class_5b):
    now = timezone.now()
    sync_no_teacher(now)
    give_teacher(class_5a)

    assert sync_no_teacher(now + HOUR) == (0, 1)

    fixed = Finding.objects.get(school_class=class_5a)
    assert fixed.resolved_at == now + HOUR >= fixed.opened_at
    assert open_keys() == {f"class:{class_5b.pk}"}
    assert sync_no_teacher(now + 2 * HOUR) == (0, 0)  # resolved stays resolved


def test_a_lagging_clock_never_resolves_before_the_opening(class_5a):
    now = timezone.now()
    sync_no_teacher(now)
    give_teacher(class_5a)

    assert sync_no_teacher(now - datetime.timedelta(seconds=5)) == (0, 1)

    finding = Finding.objects.get()
    assert finding.resolved_at == finding.opened_at == now


def test_a_gap_that_comes_back_opens_a_new_finding(class_5a):
    now = timezone.now()
    sync_no_teacher(now)
    give_teacher(class_5a)
    sync_no_teacher(now + HOUR)
    SchoolClass.objects.filter(pk=class_5a.pk).update(class_teacher=None)

    assert sync_no_teacher(now + 2 * HOUR) == (1, 0)

    history = Finding.objects.order_by("opened_at").values_list("opened_at", "resolved_at")
    assert list(history) == [(now, now + HOUR), (now + 2 * HOUR, None)]


def test_two_checks_do_not_touch_each_others_findings(class_5a, class_5b):
    """The same class may be the subject of two checks; fixing one resolves only that one."""
    SchoolClass.objects.filter(pk=class_5a.pk).update(students_expected=0)
    now = timezone.now()
    sync_no_teacher(now)
    assert findings_sync(check=NO_STUDENTS, subjects=without_students(), now=now) == (1, 0)
    assert open_keys(NO_STUDENTS) == {f"class:{class_5a.pk}"}

    give_teacher(class_5a)
    give_teacher(class_5b)
    assert sync_no_teacher(now + HOUR) == (0, 2)
    assert open_keys(NO_STUDENTS) == {f"class:{class_5a.pk}"}

    SchoolClass.objects.filter(pk=class_5a.pk).update(students_expected=25)
    assert findings_sync(check=NO_STUDENTS, subjects=without_students(), now=now + HOUR) == (0, 1)
    assert open_keys() == open_keys(NO_STUDENTS) == set()
    assert Finding.objects.count() == 3


def test_due_limits_what_is_opened_not_what_stays_open(class_5a, class_5b):
    """E.g. a grace period: a subject not yet due gets no finding, but keeps an open one open."""
    now = timezone.now()
    due = Q(grade__gte=5)
    assert sync_no_teacher(now, due=due) == (2, 0)

    SchoolClass.objects.filter(pk=class_5a.pk).update(grade=4)  # missing still, no longer due
    fresh = SchoolClassFactory(school=class_5a.school, grade=3)

    assert sync_no_teacher(now + HOUR, due=due) == (0, 0)
    assert open_keys() == {f"class:{class_5a.pk}", f"class:{class_5b.pk}"}
    assert f"class:{fresh.pk}" not in open_keys()


def test_nothing_missing_resolves_every_open_finding_of_the_check(class_5a, class_5b):
    now = timezone.now()
    sync_no_teacher(now)
    empty = without_teacher(pk__in=[])

    with CaptureQueriesContext(connection) as queries:
        assert findings_sync(check=NO_TEACHER, subjects=empty, now=now + HOUR) == (0, 2)

    assert len(queries) == 1  # the ORM proves the INSERT's SELECT empty: only the UPDATE runs
    assert open_keys() == set()


def test_two_statements_whatever_the_number_of_subjects(school):
    def statements(classes):
        SchoolClassFactory.create_batch(classes, school=school)
        with CaptureQueriesContext(connection) as queries:
            sync_no_teacher(timezone.now())
        return len(queries)

    assert statements(2) == statements(30) == 2


@pytest.mark.parametrize(
    "subjects",
    [
        SchoolClass.objects.all(),  # not values()
        SchoolClass.objects.values("school"),  # no subject_key
        SchoolClass.objects.values("school", "grade", subject_key=subject_key()),  # not a column
    ],
    ids=["not-values", "no-subject-key", "unknown-column"],
)
def test_subjects_must_name_findings_columns(subjects):
    with pytest.raises(ValueError, match="subject_key"):
        findings_sync(check=NO_TEACHER, subjects=subjects, now=timezone.now())
