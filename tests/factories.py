"""Factories for test data. Rights are granted through the services, as in production."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from chats.models import Chat, ChatKind, ChatRequirement
from invitations.models import Invitation, JoinRequest
from invitations.models import Role as InvitationRole
from orders.models import Order, OrderPoint
from staff.models import Person, School, SchoolClass
from staff.services import municipality_named

User = get_user_model()


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"МАОУ «Гимназия № {n}»")
    short_name = factory.Sequence(lambda n: f"Гимназия № {n}")
    municipality = factory.LazyFunction(lambda: municipality_named("МО ГО «Сыктывкар»"))
    new_class_grace_days = 0


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            self.groups.add(Group.objects.get(name=role))
        if create:
            self.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    school = factory.SubFactory(SchoolFactory)
    full_name = factory.Sequence(lambda n: f"Иванова Мария Петровна {n}")
    position = "учитель"
    staff_kind = Person.StaffKind.TEACHING


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    academic_year = 2025
    grade = 5
    # At most four characters (the column's size) however long the session:
    # 12 letters × 1000 suffixes.
    letter = factory.Sequence(
        lambda n: "АБВГДЕЖИКЛМН"[n % 12] + ("" if n < 12 else str(n // 12 % 1000))
    )
    students_expected = 25
    parents_expected = 40


class ChatRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatRequirement

    school = factory.SubFactory(SchoolFactory)
    kind = ChatKind.CLASS_PARENTS
    min_grade = 1
    max_grade = 11


class ChatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chat

    school = factory.SelfAttribute("school_class.school")
    school_class = factory.SubFactory(SchoolClassFactory)
    kind = ChatKind.CLASS_PARENTS
    title = factory.Sequence(lambda n: f"Чат {n}")
    url = factory.Sequence(lambda n: f"https://sferum.example/chat/{n}")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    school = factory.SelfAttribute("school_class.school")
    school_class = factory.SubFactory(SchoolClassFactory)
    role = InvitationRole.PARENT
    platform_url = "https://sferum.example/join/abc"
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoinRequest

    invitation = factory.SubFactory(InvitationFactory)
    school = factory.SelfAttribute("invitation.school")
    school_class = factory.SelfAttribute("invitation.school_class")
    role = factory.SelfAttribute("invitation.role")
    full_name = factory.Sequence(lambda n: f"Петров Пётр {n}")
    child_name = "Петров Ваня"
    consent = True


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    school = factory.SubFactory(SchoolFactory)
    number = factory.Sequence(lambda n: str(880 + n))
    date = datetime.date(2025, 12, 15)
    title = "Об использовании платформы «Сферум»"


class OrderPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderPoint

    order = factory.SubFactory(OrderFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    position = factory.Sequence(lambda n: n)
    text = "Текст пункта"


def make_user(*, school, username: str, roles=(), full_name: str | None = None, **person_fields):
    """A user with a staff record at ``school`` and the given role groups."""
    user = UserFactory(username=username, roles=[str(r) for r in roles])
    PersonFactory(
        school=school, user=user, full_name=full_name or f"Сотрудник {username}", **person_fields
    )
    return user
