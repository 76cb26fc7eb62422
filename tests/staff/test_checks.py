"""The staff app's checks: class teachers, platform statuses (point 3), training (point 7.2)."""

import datetime

import pytest

from compliance.registry import Figure, PointStatus, get_check, point_status
from staff.models import Person, SchoolClass, StatusConfirmation, TrainingRecord
from tests.factories import PersonFactory, SchoolClassFactory, SchoolFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 1, 20)


def evaluate(key, school):
    return get_check(key).evaluate(school_ids=[school.pk], today=TODAY).get(school.pk)


def status(figure, deadline=None):
    return point_status(figure=figure, deadline=deadline, today=TODAY)


def confirm(person):
    return StatusConfirmation.objects.create(person=person, status="teacher", confirmed_on=TODAY)


def train(person):
    return TrainingRecord.objects.create(
        school=person.school,
        person=person,
        course_title="Основы преподавания",
        course_url="https://course.example/1",
        completed_on=TODAY,
        certificate_number="123",
    )


class TestClassesHaveTeacher:
    def test_statuses(self, school):
        teacher = PersonFactory(school=school)
        classes = [SchoolClassFactory(school=school, grade=g, letter="А") for g in (1, 2, 3)]
        assert evaluate("classes_have_teacher", school) == Figure(0, 3)
        assert status(evaluate("classes_have_teacher", school)) == PointStatus.NOT_DONE
        SchoolClass.objects.filter(pk=classes[0].pk).update(class_teacher=teacher)
        assert evaluate("classes_have_teacher", school) == Figure(1, 3)
        assert status(evaluate("classes_have_teacher", school)) == PointStatus.PARTIAL
        assert (
            status(
                evaluate("classes_have_teacher", school),
                deadline=TODAY - datetime.timedelta(days=1),
            )
            == PointStatus.OVERDUE
        )
        SchoolClass.objects.filter(school=school).update(class_teacher=teacher)
        assert status(evaluate("classes_have_teacher", school)) == PointStatus.DONE

    def test_a_teacher_who_left_does_not_count_and_archived_classes_are_ignored(self, school):
        gone = PersonFactory(school=school, is_active=False)
        SchoolClassFactory(school=school, grade=1, letter="А", class_teacher=gone)
        SchoolClassFactory(school=school, grade=2, letter="А", status=SchoolClass.Status.ARCHIVED)
        assert evaluate("classes_have_teacher", school) == Figure(0, 1)

    def test_a_school_without_classes_is_not_measured(self, school):
        assert evaluate("classes_have_teacher", school) is None


class TestStaffStatusConfirmed:
    def test_statuses(self, school):
        staff = [PersonFactory(school=school) for _ in range(3)]
        PersonFactory(school=school, is_active=False)  # left: not counted
        assert evaluate("staff_status_confirmed", school) == Figure(0, 3)
        confirm(staff[0])
        assert evaluate("staff_status_confirmed", school) == Figure(1, 3)
        assert status(evaluate("staff_status_confirmed", school)) == PointStatus.PARTIAL
        for person in staff[1:]:
            confirm(person)
        assert status(evaluate("staff_status_confirmed", school)) == PointStatus.DONE


class TestTeachersTrained:
    def test_share_of_teaching_staff(self, school):
        teachers = [PersonFactory(school=school) for _ in range(4)]
        PersonFactory(
            school=school, staff_kind=Person.StaffKind.OTHER
        )  # not a teacher: not counted
        assert status(evaluate("teachers_trained", school)) == PointStatus.NOT_DONE
        train(teachers[0])
        train(teachers[1])
        assert evaluate("teachers_trained", school) == Figure(2, 4)
        assert status(evaluate("teachers_trained", school)) == PointStatus.PARTIAL
        for person in teachers[2:]:
            train(person)
        assert evaluate("teachers_trained", school) == Figure(4, 4)
        assert status(evaluate("teachers_trained", school)) == PointStatus.DONE

    def test_two_records_of_one_teacher_count_once(self, school):
        teacher = PersonFactory(school=school)
        train(teacher)
        TrainingRecord.objects.create(
            school=school,
            person=teacher,
            course_title="Ещё курс",
            course_url="https://course.example/2",
            completed_on=TODAY,
        )
        assert evaluate("teachers_trained", school) == Figure(1, 1)


@pytest.mark.parametrize(
    "key", ["classes_have_teacher", "staff_status_confirmed", "teachers_trained"]
)
def test_one_query_for_many_schools(key, django_assert_num_queries):
    schools = []
    for _ in range(10):
        school = SchoolFactory()
        teacher = PersonFactory(school=school)
        confirm(teacher)
        train(teacher)
        SchoolClassFactory(school=school, class_teacher=teacher)
        schools.append(school.pk)
    with django_assert_num_queries(1):
        figures = get_check(key).evaluate(school_ids=schools, today=TODAY)
    assert figures == {pk: Figure(1, 1) for pk in schools}


def test_other_schools_do_not_leak_into_a_figure(school, other_school):
    PersonFactory(school=other_school)
    PersonFactory(school=school)
    assert evaluate("teachers_trained", school) == Figure(0, 1)
