"""«Мой класс» and the school at a glance cost the same number of queries with 33 and with 330
classes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chats.flagging import chats_flag_missing
from chats.models import Chat, ChatKind
from chats.services import chat_owner_assign
from invitations.models import Invitation, JoinRequest
from roster.services import class_teacher_assign
from staff.models import Person, SchoolClass
from tests.factories import SchoolClassFactory

pytestmark = pytest.mark.django_db

# 11 since the checklist says when the checks last ran («Проверено …», or «Проверка ещё не
# выполнялась»): one grouped query of the job runs, whatever the number of classes.
MAX_QUERIES = 11


def populate(school, first: int, count: int) -> None:
    """``count`` more classes with teachers; ~90% of them with both chats, links and join
    requests."""
    people = Person.objects.bulk_create(
        Person(school=school, full_name=f"Учитель {n}") for n in range(first, first + count)
    )
    classes = SchoolClass.objects.bulk_create(
        SchoolClass(
            school=school,
            academic_year=2024 + n // 300,
            grade=1 + n % 11,
            letter=f"Л{n}",
            class_teacher=person,
            students_expected=25,
            parents_expected=40,
        )
        for n, person in zip(range(first, first + count), people, strict=True)
    )
    chats, links = [], []
    expires = timezone.now() + datetime.timedelta(days=14)
    for n, school_class in enumerate(classes):
        if n % 10:
            for kind in (ChatKind.CLASS_STUDENTS, ChatKind.CLASS_PARENTS):
                chats.append(
                    Chat(
                        school=school,
                        school_class=school_class,
                        kind=kind,
                        title=f"{school_class.name} {kind}",
                        url=f"https://sferum.example/{school_class.pk}/{kind}",
                        members_count=20,
                    )
                )
        links.append(
            Invitation(
                school=school,
                school_class=school_class,
                role="parent",
                max_uses=40,
                platform_url="https://sferum.example/join",
                expires_at=expires,
            )
        )
    Chat.objects.bulk_create(chats)
    created = Invitation.objects.bulk_create(links)
    JoinRequest.objects.bulk_create(
        JoinRequest(
            school=school,
            invitation=link,
            role="parent",
            school_class_id=link.school_class_id,
            full_name="Родитель",
            child_name="Ребёнок",
            consent=True,
        )
        for link in created
    )


def measure(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_same_queries_for_33_and_330_classes(
    client, school, requirements, teacher_5a, class_5a, operator, director, general_chat
):
    second = SchoolClassFactory(school=school, grade=9, letter="Д")
    class_teacher_assign(
        school_class=second, person=teacher_5a.person
    )  # the switcher has two classes
    chat_owner_assign(chat=general_chat, person=director.person)
    populate(school, 0, 31)
    Chat.objects.create(
        school=school,
        school_class=class_5a,
        kind=ChatKind.CLASS_OTHER,
        title="Кружок",
        url="https://sferum.example/club",
    )  # «иные чаты» are one more query, when there are some
    chats_flag_missing()
    assert SchoolClass.objects.filter(school=school).count() == 33

    pages = {
        "checklist, teacher": (teacher_5a, reverse("chats:my_class_detail", args=[class_5a.pk])),
        "checklist, operator": (operator, reverse("chats:my_class_detail", args=[second.pk])),
        "checklist, full class": (
            operator,
            reverse(
                "chats:my_class_detail",
                args=[
                    SchoolClass.objects.filter(chats__isnull=False)
                    .values_list("pk", flat=True)
                    .first()
                ],
            ),
        ),
        "matrix, operator": (operator, reverse("chats:school_matrix")),
        "matrix, director": (director, reverse("chats:school_matrix")),
    }
    small = {name: measure(client, user, url) for name, (user, url) in pages.items()}

    populate(school, 31, 297)
    chats_flag_missing()
    assert SchoolClass.objects.filter(school=school).count() == 330
    large = {name: measure(client, user, url) for name, (user, url) in pages.items()}

    print(
        "queries per page (33 classes / 330 classes):",
        {name: (small[name], large[name]) for name in small},
    )
    assert small == large
    assert max(large.values()) <= MAX_QUERIES, large
