"""Movement (point 3): class teacher moved, student count changed, a member of staff leaving —
rights move with the person and the links of whoever lost them are annulled."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from chats.models import ChatKind
from chats.services import chat_owner_assign
from compliance.registry import Figure, get_check
from invitations.models import Invitation
from invitations.models import Role as InvitationRole
from staff.models import Movement, Person, SchoolClass
from staff.roles import Role
from tests.factories import ChatFactory, InvitationFactory, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()


def rights(user, school_class):
    user = User.objects.get(pk=user.pk)
    return {
        p
        for p in ("staff.view_schoolclass", "staff.lead_schoolclass")
        if user.has_perm(p, school_class)
    }


@pytest.fixture
def new_teacher(school):
    return make_user(
        school=school,
        username="new_teacher",
        roles=[Role.STAFF],
        full_name="Новикова Нина Николаевна",
    )


class TestClassTeacherMove:
    def test_rights_move_and_the_old_links_are_annulled(
        self, client, operator, teacher_5a, new_teacher, class_5a, class_5b, teacher_5b
    ):
        own_link = InvitationFactory(school_class=class_5a, created_by=teacher_5a)
        operator_link = InvitationFactory(school_class=class_5a, created_by=operator)
        other_class_link = InvitationFactory(school_class=class_5b, created_by=teacher_5b)
        client.force_login(operator)
        response = client.post(
            reverse("staff:class_teacher", args=[class_5a.pk]), {"person": new_teacher.person.pk}
        )
        assert response.status_code == 302
        class_5a.refresh_from_db()
        assert class_5a.class_teacher == new_teacher.person
        assert rights(teacher_5a, class_5a) == set()
        assert rights(new_teacher, class_5a) == {"staff.view_schoolclass", "staff.lead_schoolclass"}
        statuses = dict(Invitation.objects.values_list("pk", "status"))
        assert statuses[own_link.pk] == Invitation.Status.ANNULLED
        assert statuses[operator_link.pk] == Invitation.Status.ACTIVE
        assert statuses[other_class_link.pk] == Invitation.Status.ACTIVE
        movement = Movement.objects.filter(kind=Movement.Kind.CLASS_TEACHER_CHANGED).latest("pk")
        assert (movement.previous_person, movement.person, movement.recorded_by) == (
            teacher_5a.person,
            new_teacher.person,
            operator,
        )
        assert "Новикова Нина Николаевна" in client.get(reverse("staff:movements")).content.decode()

    def test_a_teacher_of_another_school_cannot_be_chosen(
        self, client, operator, class_5a, other_school
    ):
        from tests.factories import PersonFactory

        stranger = PersonFactory(school=other_school)
        client.force_login(operator)
        response = client.post(
            reverse("staff:class_teacher", args=[class_5a.pk]), {"person": stranger.pk}
        )
        assert response.status_code == 400
        class_5a.refresh_from_db()
        assert class_5a.class_teacher is None

    @pytest.mark.parametrize(
        "who, status",
        [
            ("director", 403),
            ("staff_member", 403),
            ("teacher_5a", 403),
            ("inspector", 403),
            ("other_director", 403),
        ],
    )
    def test_only_operator_and_coordinator_move(
        self, request, client, class_5a, new_teacher, who, status
    ):
        client.force_login(request.getfixturevalue(who))
        assert (
            client.post(
                reverse("staff:class_teacher", args=[class_5a.pk]),
                {"person": new_teacher.person.pk},
            ).status_code
            == status
        )
        class_5a.refresh_from_db()
        assert class_5a.class_teacher_id != new_teacher.person.pk

    def test_another_schools_class_is_404(self, client, operator, other_school_class):
        client.force_login(operator)
        assert (
            client.get(reverse("staff:class_teacher", args=[other_school_class.pk])).status_code
            == 404
        )


class TestStudentCount:
    def test_recorded_with_previous_and_new_values(self, client, coordinator, class_5a):
        client.force_login(coordinator)
        response = client.post(
            reverse("staff:class_students", args=[class_5a.pk]),
            {"students_expected": 27, "comment": "прибыли двое"},
        )
        assert response.status_code == 302
        class_5a.refresh_from_db()
        assert class_5a.students_expected == 27
        movement = Movement.objects.get(kind=Movement.Kind.STUDENTS_CHANGED)
        assert (
            movement.previous_value,
            movement.new_value,
            movement.comment,
            movement.school_class,
        ) == (25, 27, "прибыли двое", class_5a)
        # The same value again changes nothing and records nothing.
        client.post(reverse("staff:class_students", args=[class_5a.pk]), {"students_expected": 27})
        assert Movement.objects.filter(kind=Movement.Kind.STUDENTS_CHANGED).count() == 1

    @pytest.mark.parametrize("value", ["-1", "много", "", "500"])
    def test_bad_input(self, client, coordinator, class_5a, value):
        client.force_login(coordinator)
        response = client.post(
            reverse("staff:class_students", args=[class_5a.pk]), {"students_expected": value}
        )
        assert (
            response.status_code == 400 and "students_expected" in response.context["form"].errors
        )
        class_5a.refresh_from_db()
        assert class_5a.students_expected == 25 and not Movement.objects.exists()


class TestLeaving:
    def test_leaving_revokes_rights_and_annuls_links(
        self, client, operator, teacher_5a, class_5a, school, today_date
    ):
        # teacher_5a also leads 5Б now, owns a school-wide chat and gave out a staff link.
        class_5b = SchoolClass.objects.create(
            school=school, academic_year=2025, grade=5, letter="Б"
        )
        from roster.services import class_teacher_assign

        class_teacher_assign(school_class=class_5b, person=teacher_5a.person)
        links = [
            InvitationFactory(school_class=class_5a, created_by=teacher_5a),
            InvitationFactory(school_class=class_5b, created_by=teacher_5a),
            InvitationFactory(
                school_class=None, school=school, role=InvitationRole.STAFF, created_by=teacher_5a
            ),
        ]
        used = InvitationFactory(
            school_class=class_5a, created_by=teacher_5a, status=Invitation.Status.USED, uses=1
        )
        others = InvitationFactory(school_class=class_5a, created_by=operator)
        chat = ChatFactory(school_class=None, school=school, kind=ChatKind.SCHOOL_GENERAL)
        chat_owner_assign(chat=chat, person=teacher_5a.person)

        client.force_login(operator)
        page = client.get(reverse("staff:person_leave", args=[teacher_5a.person.pk]))
        assert (
            "5А" in page.content.decode() and "5Б" in page.content.decode()
        )  # asks first, names the classes
        assert Person.objects.get(pk=teacher_5a.person.pk).is_active
        response = client.post(
            reverse("staff:person_leave", args=[teacher_5a.person.pk]),
            {"left_on": today_date.isoformat()},
        )
        assert response.status_code == 302

        person = Person.objects.get(pk=teacher_5a.person.pk)
        assert (person.is_active, person.left_on) == (False, today_date)
        assert rights(teacher_5a, class_5a) == set() and rights(teacher_5a, class_5b) == set()
        assert not SchoolClass.objects.filter(class_teacher=person).exists()
        assert not User.objects.get(pk=teacher_5a.pk).has_perm("chats.change_chat", chat)
        assert set(
            Invitation.objects.filter(pk__in=[link.pk for link in links]).values_list(
                "status", flat=True
            )
        ) == {"annulled"}
        assert Invitation.objects.get(pk=used.pk).status == "used"
        assert Invitation.objects.get(pk=others.pk).status == "active"
        assert Movement.objects.filter(
            kind=Movement.Kind.STAFF_LEFT, person=person, recorded_by=operator
        ).exists()
        assert get_check("classes_have_teacher").evaluate(school_ids=[school.pk], today=today_date)[
            school.pk
        ] == Figure(0, 2)
        # Off the list of working staff; leaving twice is refused.
        assert person not in client.get(reverse("staff:people")).context["page"].object_list
        assert client.get(reverse("staff:person_leave", args=[person.pk])).status_code == 404

    def test_bad_date_writes_nothing(self, client, operator, staff_member):
        client.force_login(operator)
        for value in (
            "",
            "вчера",
            (datetime.date.today() + datetime.timedelta(days=90)).isoformat(),
        ):
            response = client.post(
                reverse("staff:person_leave", args=[staff_member.person.pk]), {"left_on": value}
            )
            assert response.status_code == 400
        assert Person.objects.get(pk=staff_member.person.pk).is_active
        assert not Movement.objects.exists()

    @pytest.mark.parametrize(
        "who, status",
        [("director", 403), ("staff_member", 403), ("inspector", 403), ("other_director", 403)],
    )
    def test_who_may_record_leaving(self, request, client, teacher_5a, who, status):
        client.force_login(request.getfixturevalue(who))
        assert (
            client.post(
                reverse("staff:person_leave", args=[teacher_5a.person.pk]),
                {"left_on": "2026-01-10"},
            ).status_code
            == status
        )
        assert Person.objects.get(pk=teacher_5a.person.pk).is_active


@pytest.fixture
def today_date():
    from django.utils import timezone

    return timezone.localdate()
