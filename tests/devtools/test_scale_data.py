"""``manage.py generate_scale_data``: bulk data for N schools that satisfies every constraint."""

import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from chats.flagging import chats_flag_missing
from chats.models import Chat, ChatRequirement
from devtools import bulk
from invitations.models import Invitation, JoinRequest
from orders.demo import ORDER_883_POINTS
from orders.models import Order, OrderPoint, Responsibility
from staff.models import Person, School, SchoolClass
from staff.selectors import schoolclass_list

pytestmark = pytest.mark.django_db


def generate(*args):
    out = io.StringIO()
    call_command("generate_scale_data", *args, stdout=out)
    return out.getvalue()


def test_two_schools_of_municipal_size():
    output = generate("--schools", "2", "--prefix", "t", "--municipality", "Тестовый МО")
    assert "2 schools generated in" in output

    schools = School.objects.filter(short_name__endswith="[t]")
    assert schools.count() == 2
    assert set(schools.values_list("municipality__name", flat=True)) == {"Тестовый МО"}
    assert SchoolClass.objects.count() == 66
    assert Person.objects.count() == 200
    assert Invitation.objects.count() == 6000
    assert ChatRequirement.objects.count() == 14
    assert Order.objects.count() == 2
    assert JoinRequest.objects.exists()

    for school in schools:
        statuses = Counter(
            Invitation.objects.filter(school=school).values_list("status", flat=True)
        )
        assert set(statuses) == set(Invitation.Status.values)
        assert set(
            JoinRequest.objects.filter(school=school).values_list("status", flat=True)
        ) == set(JoinRequest.Status.values)
        order = Order.objects.get(school=school)
        assert list(order.points.order_by("position").values_list("number", flat=True)) == [
            spec.number for spec in ORDER_883_POINTS
        ]
        assert OrderPoint.objects.get(order=order, number="3.5").parent.number == "3"
        assert Responsibility.objects.filter(point__order=order, point__number="2").count() == 2


def test_chats_cover_about_nine_in_ten_requirements():
    generate("--schools", "2", "--prefix", "t", "--invitations", "10")
    required = 66 * 2 + 2 * 5
    active = Chat.objects.filter(status=Chat.Status.ACTIVE).count()
    assert 0.8 * required <= active < required
    # The classes are past their grace period: the flag job finds exactly the missing ones.
    report = chats_flag_missing()
    assert report.details["opened"] == required - active


def test_links_are_consistent():
    generate("--schools", "1", "--prefix", "t", "--invitations", "2000")
    used = Invitation.objects.filter(status=Invitation.Status.USED)
    assert used.exists() and all(i.uses == i.max_uses for i in used)
    assert not Invitation.objects.filter(
        role__in=["student", "parent"], school_class__isnull=True
    ).exists()
    assert not Invitation.objects.filter(
        role__in=["teacher", "staff"], school_class__isnull=False
    ).exists()
    assert not Invitation.objects.exclude(platform_url__startswith="https://").exists()
    assert not Invitation.objects.filter(
        status__in=["expired", "annulled"], annulled_at__isnull=True
    ).exists()
    # Links are backdated to their issue: an active one is younger than its term, mostly.
    assert all(i.created_at < i.expires_at for i in Invitation.objects.all()[:200])
    assert not JoinRequest.objects.filter(status="pending", reviewed_at__isnull=False).exists()


def test_accounts_have_the_rights_the_services_would_grant():
    generate("--schools", "1", "--prefix", "t", "--invitations", "10", "--password", "scale-pass")
    User = get_user_model()
    teacher = User.objects.get(username="t-1-teacher-5a")
    assert [c.name for c in schoolclass_list(user=teacher)] == ["5А"]
    assert teacher.groups.filter(name="class_teacher").exists()
    assert schoolclass_list(user=User.objects.get(username="t-1-director")).count() == 33
    assert User.objects.get(username="t-1-engineer").check_password("scale-pass")
    chat = (
        Chat.objects.filter(school_class__isnull=False)
        .exclude(school_class__grade=1, school_class__letter="А")
        .select_related("owner__user", "school_class")
        .first()
    )
    assert chat.owner == chat.school_class.class_teacher
    assert chat.owner.user.has_perm("chats.change_chat", chat)
    assert chat.owner.user.groups.filter(name="chat_owner").exists()
    assert not User.objects.get(username="t-1-teacher-1a").has_perm("chats.change_chat", chat)


def test_another_prefix_adds_schools_and_the_same_prefix_is_refused():
    generate("--schools", "2", "--prefix", "a", "--invitations", "10")
    generate("--schools", "3", "--prefix", "b", "--invitations", "10")
    assert School.objects.count() == 5
    assert SchoolClass.objects.count() == 5 * 33
    with pytest.raises(CommandError):
        generate("--schools", "1", "--prefix", "a", "--invitations", "10")
    assert School.objects.count() == 5


def test_without_copy_the_links_are_bulk_created_alike(monkeypatch):
    """Databases without PostgreSQL's COPY take the bulk_create path to the same data."""
    monkeypatch.setattr(bulk, "copy_supported", lambda: False)
    generate("--schools", "1", "--prefix", "t", "--invitations", "400")
    assert Invitation.objects.count() == 400
    assert set(Invitation.objects.values_list("status", flat=True)) == set(Invitation.Status.values)
    assert all(i.created_at < i.expires_at for i in Invitation.objects.all())
    assert JoinRequest.objects.exists()
