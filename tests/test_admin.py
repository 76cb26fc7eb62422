"""The Django admin over the demo data: every page answers, lists stay cheap,
rights move via services."""

import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chats.models import Chat, ChatKind
from compliance.models import Finding, JobRun
from invitations.models import Invitation, JoinRequest
from orders.models import Order, OrderPoint
from staff.models import Movement, Person, SchoolClass, YearTurnover
from staff.selectors import schoolclass_list

from .factories import PersonFactory, SchoolClassFactory, SchoolFactory

APPS = ("staff", "compliance", "orders", "chats", "invitations")
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in APPS),
    key=lambda m: m._meta.label,
)
CHANGELIST_MAX_QUERIES = 12
User = get_user_model()


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher"
    ]  # speed, not security
    call_command("seed_demo", password="demo-pass", stdout=io.StringIO())


@pytest.fixture
def job_rows(seeded):
    """A few rows of each table the seed leaves to the jobs, so no changelist is tested empty."""
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from guardian.shortcuts import assign_perm

    from compliance.models import DashboardSnapshot
    from invitations.consent import consent_text_publish
    from orders.models import (
        AdminRegistrationRequest,
        OrderEvent,
        PointEvidence,
        Regulation,
        Reminder,
    )

    now = timezone.now()
    order = Order.objects.get(number="883")
    point = order.points.get(number="8")
    school = order.school
    person = Person.objects.get(full_name="Осипов А.А.")
    group = Group.objects.get(name="staff")
    for n in range(3):
        school_class = SchoolClass.objects.get(grade=n + 1, letter="Б")
        Finding.objects.create(
            school=school,
            check_key="class_chat_missing",
            subject_key=f"class:{n}",
            school_class=school_class,
            order_point=point,
            message=f"Нет чата {n}",
            opened_at=now,
        )
        JobRun.objects.create(
            name="flag_missing_chats", started_at=now, finished_at=now, status="success"
        )
        DashboardSnapshot.objects.create(
            school=school, date=now.date().replace(day=n + 1), figures={"n": n}
        )
        PointEvidence.objects.create(point=point, url=f"https://gym.example.org/doc{n}")
        OrderEvent.objects.create(
            order=order, point=point, kind="evidence_added", message=f"Событие {n}"
        )
        Reminder.objects.create(
            point=order.points.get(number=str(n + 1)),
            kind="overdue",
            deadline=now.date(),
            person=person,
            claim_token=f"t{n}",
            claimed_at=now,
        )
        AdminRegistrationRequest.objects.create(
            school=school,
            order=order,
            full_name=f"Тестов Т.{n}",
            email=f"t{n}@example.org",
            phone="+70000000000",
            consent=True,
        )
        assign_perm("staff.view_schoolclass", group, school_class)
        assign_perm(
            "chats.view_chat", group, Chat.objects.filter(school_class=school_class).first()
        )
    for n in range(2):  # the school's consent wording, versions 1-3
        consent_text_publish(school=school, text=f"Согласие {n}", parent_text=f"Родители {n}")
    assert Regulation.objects.exists()
    # A turnover record (written by roster.turnover, undone at once so the seed stays 2025/2026).
    YearTurnover.objects.create(
        school=school, from_year=2024, to_year=2025, applied_at=now, status="reverted"
    )


@pytest.fixture
def superuser(seeded):
    return User.objects.create_superuser("root", password="root-pass")


@pytest.fixture
def root_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def class_5a(seeded):
    return SchoolClass.objects.get(
        school__short_name="Гимназия им. А.С. Пушкина", grade=5, letter="А"
    )


def test_every_model_of_the_four_apps_is_in_the_admin():
    models = {model for label in APPS for model in apps.get_app_config(label).get_models()}
    assert models == set(REGISTERED)


def test_every_page_answers_and_lists_are_cheap(root_client, job_rows):
    failures = []
    for model in REGISTERED:
        with CaptureQueriesContext(connection) as queries:
            response = root_client.get(url(model, "changelist"))
        if response.status_code != 200:
            failures.append(f"{model._meta.label} changelist: {response.status_code}")
            continue
        if len(queries) > CHANGELIST_MAX_QUERIES:
            failures.append(f"{model._meta.label} changelist: {len(queries)} queries")
        if response.context["cl"].result_count == 0:
            failures.append(f"{model._meta.label} changelist: tested empty")
        model_admin = admin.site._registry[model]
        request = response.wsgi_request
        if model_admin.has_add_permission(request):
            status = root_client.get(url(model, "add")).status_code
            if status != 200:
                failures.append(f"{model._meta.label} add: {status}")
        first = model.objects.order_by("pk").first()
        if first is not None:
            status = root_client.get(url(model, "change", first.pk)).status_code
            if status != 200:
                failures.append(f"{model._meta.label} change: {status}")
    assert not failures


def test_the_changelist_does_not_grow_with_the_rows(root_client, seeded):
    """A class list of 33 rows and of 38 rows costs the same number of queries."""
    with CaptureQueriesContext(connection) as before:
        root_client.get(url(SchoolClass, "changelist"))
    school = SchoolFactory()
    for letter in "АБВГД":
        SchoolClassFactory(school=school, letter=letter, class_teacher=PersonFactory(school=school))
    with CaptureQueriesContext(connection) as after:
        root_client.get(url(SchoolClass, "changelist"))
    assert len(after) == len(before)


def class_form(school_class, **changes):
    data = {
        "school": school_class.school_id,
        "academic_year": school_class.academic_year,
        "grade": school_class.grade,
        "letter": school_class.letter,
        "class_teacher": school_class.class_teacher_id or "",
        "students_expected": school_class.students_expected,
        "parents_expected": school_class.parents_expected,
        "_save": "Сохранить",
    }
    data.update(changes)
    return data


def test_changing_the_class_teacher_moves_the_rights(root_client, class_5a):
    old = User.objects.get(username="teacher_5a")
    new = User.objects.get(username="staff")
    assert old.has_perm("staff.lead_schoolclass", class_5a)

    response = root_client.post(
        url(SchoolClass, "change", class_5a.pk), class_form(class_5a, class_teacher=new.person.pk)
    )

    assert response.status_code == 302
    class_5a.refresh_from_db()
    assert class_5a.class_teacher == new.person
    old, new = User.objects.get(pk=old.pk), User.objects.get(pk=new.pk)  # fresh permission caches
    assert new.has_perm("staff.lead_schoolclass", class_5a) and new.has_perm(
        "staff.view_schoolclass", class_5a
    )
    assert not old.has_perm("staff.lead_schoolclass", class_5a)
    assert list(schoolclass_list(user=new)) == [class_5a]
    assert not schoolclass_list(user=old).exists()
    assert Movement.objects.filter(
        school_class=class_5a, person=new.person, previous_person=old.person
    ).exists()
    # The links the old teacher gave out for the class are annulled with her rights.
    assert not Invitation.objects.filter(
        school_class=class_5a, created_by=old, status="active"
    ).exists()


def test_other_fields_change_without_touching_the_teacher(root_client, class_5a):
    teacher = class_5a.class_teacher
    movements = Movement.objects.count()
    response = root_client.post(
        url(SchoolClass, "change", class_5a.pk), class_form(class_5a, students_expected=30)
    )
    assert response.status_code == 302
    class_5a.refresh_from_db()
    assert class_5a.students_expected == 30 and class_5a.class_teacher == teacher
    assert Movement.objects.count() == movements


def test_a_teacher_of_another_school_is_refused(root_client, class_5a):
    stranger = PersonFactory(school=SchoolFactory())
    response = root_client.post(
        url(SchoolClass, "change", class_5a.pk), class_form(class_5a, class_teacher=stranger.pk)
    )
    assert response.status_code == 200
    assert "class_teacher" in response.context["adminform"].form.errors
    class_5a.refresh_from_db()
    assert class_5a.class_teacher.user.username == "teacher_5a"


def test_adding_a_class_attaches_its_teacher_through_the_service(root_client, class_5a):
    teacher = User.objects.get(username="staff")
    data = class_form(class_5a, grade=11, letter="Г", class_teacher=teacher.person.pk)
    response = root_client.post(url(SchoolClass, "add"), data)
    assert response.status_code == 302
    created = SchoolClass.objects.get(grade=11, letter="Г")
    assert User.objects.get(pk=teacher.pk).has_perm("staff.lead_schoolclass", created)


def test_archiving_a_class_ends_the_rights(root_client, class_5a):
    response = root_client.post(
        url(SchoolClass, "changelist"), {"action": "archive", "_selected_action": [class_5a.pk]}
    )
    assert response.status_code == 302
    class_5a.refresh_from_db()
    assert class_5a.status == SchoolClass.Status.ARCHIVED
    assert not User.objects.get(username="teacher_5a").has_perm("staff.lead_schoolclass", class_5a)
    assert not Invitation.objects.filter(school_class=class_5a, status="active").exists()


def _change_form_data(response, **changes) -> dict:
    """The POST the admin's change form would send as rendered, inlines included,
    with ``changes``."""
    data = {"_save": "Сохранить"}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_unticking_works_here_is_a_departure_through_the_service(root_client, class_5a):
    teacher = class_5a.class_teacher
    page = root_client.get(url(Person, "change", teacher.pk))
    response = root_client.post(
        url(Person, "change", teacher.pk), _change_form_data(page, is_active=None)
    )

    assert response.status_code == 302
    teacher.refresh_from_db()
    class_5a.refresh_from_db()
    assert not teacher.is_active and teacher.left_on is not None
    assert class_5a.class_teacher is None  # out of the class, and the rights go with it
    assert not User.objects.get(pk=teacher.user_id).has_perm("staff.lead_schoolclass", class_5a)
    assert not Invitation.objects.filter(created_by_id=teacher.user_id, status="active").exists()
    assert Movement.objects.filter(person=teacher, kind=Movement.Kind.STAFF_LEFT).count() == 1


def test_other_person_fields_change_without_a_departure(root_client, class_5a):
    teacher = class_5a.class_teacher
    page = root_client.get(url(Person, "change", teacher.pk))
    response = root_client.post(
        url(Person, "change", teacher.pk), _change_form_data(page, position="Учитель истории")
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.position == "Учитель истории" and teacher.is_active
    assert not Movement.objects.filter(person=teacher, kind=Movement.Kind.STAFF_LEFT).exists()


def test_another_account_for_a_person_moves_their_rights(root_client, class_5a):
    teacher = class_5a.class_teacher
    old = teacher.user
    new = User.objects.create_user(username="teacher_5a_second_login")
    page = root_client.get(url(Person, "change", teacher.pk))
    response = root_client.post(
        url(Person, "change", teacher.pk), _change_form_data(page, user=new.pk)
    )

    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.user == new and teacher.is_active
    assert User.objects.get(pk=new.pk).has_perm("staff.lead_schoolclass", class_5a)
    assert not User.objects.get(pk=old.pk).has_perm("staff.lead_schoolclass", class_5a)
    assert list(schoolclass_list(user=User.objects.get(pk=new.pk))) == [class_5a]


def test_changing_a_chat_owner_moves_the_rights(root_client, class_5a):
    chat = Chat.objects.get(school_class=class_5a, kind=ChatKind.CLASS_PARENTS, status="active")
    old = User.objects.get(username="teacher_5a")
    new = User.objects.get(username="staff")
    data = {
        "school": chat.school_id,
        "kind": chat.kind,
        "school_class": class_5a.pk,
        "title": chat.title,
        "url": chat.url,
        "owner": new.person.pk,
        "members_count": chat.members_count or "",
        "status": chat.status,
        "last_verified_at_0": "",
        "last_verified_at_1": "",
        "_save": "Сохранить",
    }
    response = root_client.post(url(Chat, "change", chat.pk), data)
    assert response.status_code == 302
    chat.refresh_from_db()
    assert chat.owner == new.person
    assert User.objects.get(pk=new.pk).has_perm("chats.change_chat", chat)
    assert not User.objects.get(pk=old.pk).has_perm("chats.change_chat", chat)


def test_annul_action_uses_the_service(root_client, superuser, seeded):
    active = list(Invitation.objects.filter(status="active").values_list("pk", flat=True))
    used = Invitation.objects.filter(status="used").first()
    response = root_client.post(
        url(Invitation, "changelist"), {"action": "annul", "_selected_action": [*active, used.pk]}
    )
    assert response.status_code == 302
    annulled = Invitation.objects.filter(pk__in=active)
    assert set(annulled.values_list("status", flat=True)) == {"annulled"}
    assert set(annulled.values_list("annulled_by", flat=True)) == {superuser.pk}
    used.refresh_from_db()
    assert used.status == "used" and used.annulled_at is None


def test_join_requests_are_reviewed_through_the_service(root_client, superuser, seeded):
    pending = list(JoinRequest.objects.filter(status="pending").values_list("pk", flat=True))
    response = root_client.post(
        url(JoinRequest, "changelist"), {"action": "approve", "_selected_action": pending}
    )
    assert response.status_code == 302
    reviewed = JoinRequest.objects.filter(pk__in=pending)
    assert set(reviewed.values_list("status", "reviewed_by")) == {("approved", superuser.pk)}


@pytest.mark.parametrize(
    "model", [Invitation, JoinRequest, Finding, Order, OrderPoint, Person, SchoolClass, Chat]
)
def test_nothing_that_matters_is_deleted(root_client, model):
    model_admin = admin.site._registry[model]
    request = root_client.get(url(model, "changelist")).wsgi_request
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_delete_page_of_a_link_is_forbidden(root_client, seeded):
    invitation = Invitation.objects.first()
    assert root_client.get(url(Invitation, "delete", invitation.pk)).status_code == 403
    assert (
        root_client.post(url(Invitation, "delete", invitation.pk), {"post": "yes"}).status_code
        == 403
    )
    assert Invitation.objects.filter(pk=invitation.pk).exists()


@pytest.mark.parametrize("model", [Finding, JobRun])
def test_job_records_are_read_only(root_client, model):
    model_admin = admin.site._registry[model]
    request = root_client.get(url(model, "changelist")).wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert root_client.get(url(model, "add")).status_code == 403


def test_the_token_is_shown_only_in_part(root_client, seeded):
    invitation = Invitation.objects.first()
    listing = root_client.get(url(Invitation, "changelist")).content.decode()
    page = root_client.get(url(Invitation, "change", invitation.pk)).content.decode()
    assert invitation.token[:6] in listing
    assert invitation.token not in listing and invitation.token not in page


def test_contacts_stay_off_the_list_of_people(root_client, seeded):
    listing = root_client.get(url(Person, "changelist") + "?all=").content.decode()
    assert "@example.org" not in listing
    person = Person.objects.exclude(email="").first()
    assert person.email in root_client.get(url(Person, "change", person.pk)).content.decode()


def test_the_coordinator_sees_only_her_school(client, seeded):
    other = SchoolFactory()
    SchoolClassFactory(school=other)
    coordinator = User.objects.get(username="coordinator")
    assert coordinator.is_staff
    client.force_login(coordinator)
    response = client.get(url(SchoolClass, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 33
    assert (
        client.get(url(SchoolClass, "change", SchoolClass.objects.get(school=other).pk)).status_code
        == 302
    )
    # The school choices of a form are hers only.
    form = client.get(url(Chat, "add")).context["adminform"].form
    assert list(form.fields["school"].queryset) == [coordinator.person.school]


def test_points_are_edited_inside_their_order(root_client, seeded):
    order = Order.objects.get(number="883")
    points = list(order.points.order_by("position"))
    data = {
        "school": order.school_id,
        "number": order.number,
        "date": "2025-12-15",
        "title": order.title,
        "basis": order.basis,
        "preamble": order.preamble,
        "signed_by": order.signed_by_id,
        "distribution_note": order.distribution_note,
        "status": order.status,
        "points-TOTAL_FORMS": len(points),
        "points-INITIAL_FORMS": len(points),
        "points-MIN_NUM_FORMS": 0,
        "points-MAX_NUM_FORMS": 1000,
        "_save": "Сохранить",
    }
    for index, point in enumerate(points):
        prefix = f"points-{index}-"
        data.update(
            {
                prefix + "id": point.pk,
                prefix + "order": order.pk,
                prefix + "number": point.number,
                prefix + "position": point.position,
                prefix + "text": point.text,
                prefix + "deadline": point.deadline.isoformat() if point.deadline else "",
                prefix + "check_key": point.check_key,
                prefix + "parent": point.parent_id or "",
            }
        )
    eighth = next(index for index, point in enumerate(points) if point.number == "8")
    data[f"points-{eighth}-deadline"] = "2025-12-26"

    response = root_client.post(url(Order, "change", order.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors or [
        f.errors for f in response.context["inline_admin_formsets"][0].formset
    ]
    assert order.points.get(number="8").deadline.isoformat() == "2025-12-26"
    assert order.points.count() == len(points)
    assert dict(order.points.values_list("number", "check_key")) == {
        p.number: p.check_key for p in points
    }


def test_every_page_the_coordinator_may_see_answers(client, seeded):
    coordinator = User.objects.get(username="coordinator")
    client.force_login(coordinator)
    request = client.get(reverse("admin:index")).wsgi_request
    visible = [
        m for m in REGISTERED if admin.site._registry[m].has_view_or_change_permission(request)
    ]
    assert SchoolClass in visible and Order in visible and Invitation in visible
    assert JobRun in visible and Finding in visible
    for model in visible:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(model, "changelist"))
        assert response.status_code == 200, model
        assert len(queries) <= CHANGELIST_MAX_QUERIES, model
        if admin.site._registry[model].has_add_permission(request):
            assert client.get(url(model, "add")).status_code == 200, model
