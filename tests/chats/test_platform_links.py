"""Chat links are accepted only on the platform's domains (``PLATFORM_LINK_DOMAINS``: max.ru,
web.max.ru, sferum.ru by default), with a message that names them — in the form, in the API and
in the service under both."""

import pytest
from django.urls import reverse

from chats.models import Chat, ChatKind
from gymnasium_portal.platform_links import is_platform_link
from tests.factories import ChatFactory

pytestmark = pytest.mark.django_db

MESSAGE = "Ссылка на чат должна вести на платформу: max.ru, web.max.ru, sferum.ru."


@pytest.mark.parametrize(
    "url, accepted",
    [
        ("https://max.ru/join/abc", True),
        ("https://web.max.ru/#/chat/1", True),
        ("https://sferum.ru/?invite=1", True),
        ("https://school.sferum.ru/x", True),  # a subdomain of the platform's
        ("https://MAX.RU/x", True),
        ("https://max.ru.evil.example/x", False),
        ("https://notmax.ru/x", False),
        ("https://t.me/joinchat/x", False),
        ("http://max.ru/x", False),
        ("https://max.ru@evil.example/x", False),  # user-info trick: the host is evil.example
        ("", False),
    ],
)
def test_only_the_platforms_domains_are_platform_links(url, accepted):
    assert is_platform_link(url) is accepted


def test_the_domains_are_a_setting(settings):
    settings.PLATFORM_LINK_DOMAINS = ["chat.example"]
    assert is_platform_link("https://chat.example/1") and not is_platform_link("https://max.ru/1")


def _form(kind="class_parents", **fields):
    data = {
        f"{kind}-kind": kind,
        f"{kind}-title": "5А — родители",
        f"{kind}-url": "https://web.max.ru/p5a",
        f"{kind}-members_count": "33",
    }
    data.update({f"{kind}-{key}": value for key, value in fields.items()})
    return data


def test_the_form_refuses_a_link_elsewhere_and_names_the_domains(client, teacher_5a, class_5a):
    client.force_login(teacher_5a)
    url = reverse("chats:class_chat_add", args=[class_5a.pk, "class_parents"])

    response = client.post(url, _form(url="https://t.me/joinchat/5a", title=""))

    assert response.status_code == 400
    page = response.content.decode()
    assert MESSAGE in page
    assert "Обязательное поле" in page  # the empty title is shown at the same time
    assert not Chat.objects.exists()
    # The form says beforehand which links it takes.
    assert "Ссылка платформы: max.ru, web.max.ru, sferum.ru." in client.get(url).content.decode()


def test_the_api_refuses_a_link_elsewhere(client, teacher_5a, class_5a):
    client.force_login(teacher_5a)
    response = client.post(
        "/api/v1/chats/",
        {
            "kind": "class_students",
            "school_class": class_5a.pk,
            "title": "5А",
            "url": "https://vk.com/5a",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["url"] == [MESSAGE]
    assert not Chat.objects.exists()


def test_a_link_on_record_is_not_asked_again_while_unchanged(client, teacher_5a, class_5a):
    """Demo data and chats recorded before the rule keep working: changing the members count
    of such a chat does not demand a new link; changing the link does."""
    chat = ChatFactory(
        school_class=class_5a, kind=ChatKind.CLASS_STUDENTS, url="https://sferum.example/old"
    )
    client.force_login(teacher_5a)
    url = reverse("chats:chat_edit", args=[chat.pk])

    kept = client.post(url, {"title": "5А", "url": chat.url, "members_count": "21"})
    assert kept.status_code == 302
    chat.refresh_from_db()
    assert chat.members_count == 21

    moved = client.post(
        url, {"title": "5А", "url": "https://other.example/5a", "members_count": ""}
    )
    assert moved.status_code == 400 and MESSAGE in moved.content.decode()
    chat.refresh_from_db()
    assert chat.url == "https://sferum.example/old"
