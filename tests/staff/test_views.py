"""Staff screens: people (contacts for coordinator and operator only),
absences, training, statuses."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from staff.models import Absence, Person, StatusConfirmation, TrainingRecord
from tests.factories import OrderFactory, OrderPointFactory, PersonFactory

pytestmark = pytest.mark.django_db

COURSE_URL = "https://xn--d1abkefqip0a2f.xn--p1ai/index.php/item/21299-osnovy"


def today():
    return timezone.localdate()


class TestPeople:
    def test_contacts_only_for_coordinator_and_operator(
        self, client, school, coordinator, operator, director
    ):
        PersonFactory(
            school=school,
            full_name="Петрова Анна",
            phone="+7 912 000-00-01",
            email="petrova@school.example",
        )
        for user, sees in ((coordinator, True), (operator, True), (director, False)):
            client.force_login(user)
            html = client.get(reverse("staff:people")).content.decode()
            assert "Петрова Анна" in html
            assert ("+7 912 000-00-01" in html) is sees and (
                "petrova@school.example" in html
            ) is sees

    def test_staff_and_outsiders(self, client, staff_member, school, other_director):
        client.force_login(staff_member)
        assert client.get(reverse("staff:people")).status_code == 403
        PersonFactory(school=school, full_name="Петрова Анна")
        client.force_login(other_director)
        assert "Петрова Анна" not in client.get(reverse("staff:people")).content.decode()

    def test_query_count(self, client, school, coordinator, django_assert_max_num_queries):
        for index in range(30):
            person = PersonFactory(school=school)
            if index % 3 == 0:
                StatusConfirmation.objects.create(
                    person=person, status="teacher", confirmed_on=today()
                )
        client.force_login(coordinator)
        with django_assert_max_num_queries(10):
            assert client.get(reverse("staff:people")).status_code == 200


class TestAbsences:
    def test_coordinator_records_an_absence(self, client, coordinator, school):
        person = PersonFactory(school=school, full_name="Горбатенко Вера Ивановна")
        client.force_login(coordinator)
        response = client.post(
            reverse("staff:absences"),
            {
                "person": person.pk,
                "starts_on": today().isoformat(),
                "ends_on": (today() + datetime.timedelta(days=5)).isoformat(),
                "reason": "отпуск",
            },
        )
        assert response.status_code == 302
        absence = Absence.objects.get()
        assert (absence.person, absence.reason) == (person, "отпуск")
        html = client.get(reverse("staff:absences")).content.decode()
        assert "Горбатенко Вера Ивановна" in html and today().strftime("%d.%m.%Y") in html
        response = client.post(
            reverse("staff:absence_edit", args=[absence.pk]),
            {
                "person": person.pk,
                "starts_on": today().isoformat(),
                "ends_on": today().isoformat(),
                "reason": "отпуск",
            },
        )
        absence.refresh_from_db()
        assert response.status_code == 302 and absence.ends_on == today()

    @pytest.mark.parametrize(
        "data",
        [
            {"starts_on": "2026-02-10", "ends_on": "2026-02-01"},
            {"starts_on": "", "ends_on": "2026-02-01"},
            {"starts_on": "2026-02-10", "ends_on": "10 февраля"},
        ],
    )
    def test_bad_dates(self, client, coordinator, data):
        client.force_login(coordinator)
        response = client.post(
            reverse("staff:absences"), {"person": coordinator.person.pk, "reason": "отпуск", **data}
        )
        assert response.status_code == 400 and not Absence.objects.exists()
        assert "отпуск" in response.content.decode()

    def test_another_schools_person_cannot_be_chosen(self, client, coordinator, other_school):
        client.force_login(coordinator)
        stranger = PersonFactory(school=other_school)
        response = client.post(
            reverse("staff:absences"),
            {"person": stranger.pk, "starts_on": "2026-02-01", "ends_on": "2026-02-02"},
        )
        assert response.status_code == 400 and not Absence.objects.exists()

    @pytest.mark.parametrize(
        "who, get_status, post_status",
        [
            ("operator", 200, 403),
            ("director", 200, 403),
            ("staff_member", 403, 403),
            ("web_editor", 403, 403),
        ],
    )
    def test_only_the_coordinator_records(
        self, request, client, who, get_status, post_status, coordinator
    ):
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("staff:absences")).status_code == get_status
        assert (
            client.post(
                reverse("staff:absences"),
                {
                    "person": coordinator.person.pk,
                    "starts_on": "2026-02-01",
                    "ends_on": "2026-02-02",
                },
            ).status_code
            == post_status
        )
        assert not Absence.objects.exists()


@pytest.fixture
def course_point(school):
    order = OrderFactory(school=school, status=Order.Status.IN_FORCE)
    return OrderPointFactory(
        order=order,
        number="7.2",
        check_key="teachers_trained",
        text=f"обучение педагогических работников по бесплатной онлайн -программе "
        f"повышения квалификации "
        f"«Основы преподавания с применением многофункционального сервиса обмена "
        f"информацией «МАХ» в "
        f"соответствии с обновленными ФГОС <{COURSE_URL}>.",
    )


class TestTraining:
    def test_a_teacher_records_the_course_from_the_order(self, client, teacher_5a, course_point):
        client.force_login(teacher_5a)
        page = client.get(reverse("staff:training")).content.decode()
        assert COURSE_URL in page and "Основы преподавания" in page
        response = client.post(
            reverse("staff:training"),
            {
                "completed_on": today().isoformat(),
                "certificate_number": "ПК-00123",
            },
        )
        assert response.status_code == 302
        record = TrainingRecord.objects.get()
        assert (record.person, record.course_url, record.certificate_number) == (
            teacher_5a.person,
            COURSE_URL,
            "ПК-00123",
        )
        assert record.course_title.startswith(
            "Основы преподавания"
        ) and record.course_title.endswith("ФГОС")
        # Recording again corrects the same row.
        client.post(
            reverse("staff:training"),
            {
                "completed_on": today().isoformat(),
                "certificate_file": SimpleUploadedFile("c.pdf", b"%PDF-1.4"),
            },
        )
        assert TrainingRecord.objects.count() == 1 and TrainingRecord.objects.get().certificate_file

    @pytest.mark.parametrize(
        "data",
        [
            {"completed_on": "2026-01-10"},  # neither a number nor a file
            {"completed_on": "2099-01-01", "certificate_number": "1"},
            {"completed_on": "", "certificate_number": "1"},
            {"completed_on": "2026-01-10", "certificate_file": "exe"},
        ],
    )
    def test_bad_input(self, client, teacher_5a, course_point, data):
        if data.get("certificate_file") == "exe":
            data["certificate_file"] = SimpleUploadedFile("virus.exe", b"MZ")
        client.force_login(teacher_5a)
        assert client.post(reverse("staff:training"), data).status_code == 400
        assert not TrainingRecord.objects.exists()

    def test_the_coordinator_sees_who_has_not(
        self, client, coordinator, school, course_point, django_assert_max_num_queries
    ):
        trained = PersonFactory(school=school, full_name="Обученная Ольга")
        PersonFactory(school=school, full_name="Необученный Олег")
        PersonFactory(school=school, full_name="Завхоз Зоя", staff_kind=Person.StaffKind.OTHER)
        TrainingRecord.objects.create(
            school=school,
            person=trained,
            course_title="Курс",
            course_url=COURSE_URL,
            completed_on=today(),
        )
        client.force_login(coordinator)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("staff:training"), {"untrained": "1"})
        names = [p.full_name for p in response.context["teachers"].object_list]
        assert (
            "Необученный Олег" in names
            and "Обученная Ольга" not in names
            and "Завхоз Зоя" not in names
        )

    def test_a_teacher_does_not_see_the_others(self, client, teacher_5a, course_point):
        client.force_login(teacher_5a)
        assert client.get(reverse("staff:training")).context["teachers"] is None


class TestStatuses:
    def test_operator_confirms_and_the_list_shrinks(self, client, operator, school):
        teacher = PersonFactory(school=school, full_name="Учитель Ирина")
        client.force_login(operator)
        response = client.get(reverse("staff:statuses"))
        assert teacher in response.context["page"].object_list
        response = client.post(
            reverse("staff:statuses"),
            {"person": teacher.pk, "status": "teacher", "confirmed_on": today().isoformat()},
        )
        assert response.status_code == 302
        confirmation = StatusConfirmation.objects.get(person=teacher)
        assert (confirmation.status, confirmation.confirmed_by, confirmation.confirmed_on) == (
            "teacher",
            operator,
            today(),
        )
        assert teacher not in client.get(reverse("staff:statuses")).context["page"].object_list
        assert "учитель" in client.get(reverse("staff:statuses"), {"show": "all"}).content.decode()

    @pytest.mark.parametrize(
        "data",
        [
            {"status": "директор", "confirmed_on": "2026-01-10"},
            {"status": "teacher", "confirmed_on": "2099-01-10"},
            {"status": "teacher", "confirmed_on": ""},
        ],
    )
    def test_bad_input(self, client, operator, staff_member, data):
        client.force_login(operator)
        response = client.post(
            reverse("staff:statuses"), {"person": staff_member.person.pk, **data}
        )
        assert response.status_code == 400 and not StatusConfirmation.objects.exists()

    @pytest.mark.parametrize(
        "who, get_status, post_status",
        [
            ("coordinator", 200, 302),
            ("director", 200, 403),
            ("staff_member", 403, 403),
            ("teacher_5a", 403, 403),
        ],
    )
    def test_rights(self, request, client, staff_member, who, get_status, post_status):
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("staff:statuses")).status_code == get_status
        assert (
            client.post(
                reverse("staff:statuses"),
                {
                    "person": staff_member.person.pk,
                    "status": "employee",
                    "confirmed_on": today().isoformat(),
                },
            ).status_code
            == post_status
        )
        assert StatusConfirmation.objects.exists() is (post_status == 302)


class TestClasses:
    def test_class_teacher_sees_only_their_class_and_no_actions(
        self, client, teacher_5a, class_5a, class_5b
    ):
        client.force_login(teacher_5a)
        response = client.get(reverse("staff:classes"))
        assert list(response.context["page"].object_list) == [class_5a]
        assert reverse("staff:class_teacher", args=[class_5a.pk]) not in response.content.decode()

    def test_filter_without_teacher(self, client, operator, teacher_5a, class_5a, class_5b):
        client.force_login(operator)
        response = client.get(reverse("staff:classes"), {"without_teacher": "1"})
        assert list(response.context["page"].object_list) == [class_5b]

    def test_query_count(self, client, operator, school, django_assert_max_num_queries):
        from tests.factories import SchoolClassFactory

        for grade in range(1, 12):
            SchoolClassFactory(
                school=school, grade=grade, class_teacher=PersonFactory(school=school)
            )
        client.force_login(operator)
        with django_assert_max_num_queries(10):
            assert client.get(reverse("staff:classes")).status_code == 200
