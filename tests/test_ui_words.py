"""Small things users noticed (issue 12, item 10): the words and marks on the pages, checked on
the pages themselves."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from board.selectors import PointRow
from chats.models import ChatKind
from chats.services import chat_requirements_create_defaults
from compliance.models import Finding
from compliance.registry import Figure, PointStatus
from invitations.models import Role
from tests.factories import ChatFactory, InvitationFactory
from tests.invitations.conftest import expired

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
CATALOGS = sorted(BASE_DIR.glob("*/locale/ru/LC_MESSAGES/django.po"))


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load i18n %}" + source).render(context)


@pytest.mark.parametrize(
    "count, words",
    [
        (1, "1 открытое замечание"),
        (3, "3 открытых замечания"),
        (5, "5 открытых замечаний"),
        (11, "11 открытых замечаний"),
        (21, "21 открытое замечание"),
        (24, "24 открытых замечания"),
    ],
)
def test_counts_take_the_russian_plural_form(count, words):
    shown = render(
        "{% blocktranslate count counter=n %}{{ counter }} открытое замечание{% plural %}"
        "{{ counter }} открытых замечаний{% endblocktranslate %}",
        n=count,
    )
    assert shown == words


def test_the_inspectors_school_count_and_the_link_lists_too():
    assert (
        render(
            "{% blocktranslate count counter=n %}{{ counter }} школа, сначала отстающие"
            "{% plural %}{{ counter }} школ, сначала отстающие{% endblocktranslate %}",
            n=3,
        )
        == "3 школы, сначала отстающие"
    )
    assert (
        render(
            "{% blocktranslate count counter=n %}Найдена {{ counter }} ссылка{% plural %}"
            "Найдено ссылок: {{ counter }}{% endblocktranslate %}",
            n=22,
        )
        == "Найдены 22 ссылки"
    )


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) not installed")
@pytest.mark.parametrize("po", CATALOGS, ids=lambda path: path.parts[-5])
def test_the_committed_catalogs_are_compiled_from_their_sources(po, tmp_path):
    """The .mo beside each .po is what `msgfmt` makes of it: `make run` needs no gettext tools,
    and nobody forgets to compile after changing a count's words."""
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(po)], check=True)
    with fresh.open("rb") as made, po.with_suffix(".mo").open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(made)._catalog


def test_the_drilldown_counts_its_findings_in_russian(client, director, school):
    for n in range(3):
        Finding.objects.create(
            school=school,
            check_key="x",
            subject_key=f"x:{n}",
            message="m",
            opened_at=timezone.now(),
        )
    client.force_login(director)
    page = client.get(reverse("board:drilldown")).content.decode()
    assert "3 открытых замечания" in page


def test_a_chat_without_a_member_count_says_no_data(client, teacher_5a, class_5a):
    chat_requirements_create_defaults(school=class_5a.school)
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_STUDENTS, members_count=None)
    class_5a.students_expected = 43
    class_5a.save()
    client.force_login(teacher_5a)
    page = client.get(reverse("chats:my_class_detail", args=[class_5a.pk])).content.decode()
    assert "нет данных" in page and "? из 43" not in page


def test_no_space_before_the_full_stop_after_a_class_name(client, operator, class_5a):
    link = InvitationFactory(school_class=class_5a, role=Role.PARENT, created_by=operator)
    client.force_login(operator)
    page = client.get(reverse("invitations:annul", args=[link.pk])).content.decode()
    assert "Класс: 5А.</p>" in page


@pytest.mark.parametrize("max_uses", [1, 3, 21])
def test_uses_of_a_link_are_counted_without_a_word_to_decline(client, operator, class_5a, max_uses):
    """«1 из 1 раз», «из 21 раз» were wrong Russian: the count stands after a colon instead."""
    link = InvitationFactory(
        school_class=class_5a, role=Role.PARENT, created_by=operator, max_uses=max_uses
    )
    client.force_login(operator)
    for name in ("invitations:annul", "invitations:detail"):
        page = client.get(reverse(name, args=[link.pk])).content.decode()
        assert f"0 из {max_uses}" in page, name
        assert " раз<" not in page and " раз.<" not in page, name
    annul = client.get(reverse("invitations:annul", args=[link.pk])).content.decode()
    assert f"Использований: 0 из {max_uses}." in annul


def test_staff_without_classes_see_no_classes_tab(client, staff_member, teacher_5a, operator):
    classes = reverse("staff:classes")
    client.force_login(staff_member)
    assert f'href="{classes}"' not in client.get(reverse("staff:training")).content.decode()
    client.force_login(teacher_5a)  # leads 5А
    assert f'href="{classes}"' in client.get(reverse("staff:training")).content.decode()
    client.force_login(operator)
    assert f'href="{classes}"' in client.get(reverse("staff:training")).content.decode()


def test_every_page_has_the_favicon(client, staff_member, class_5a, operator):
    icon = 'rel="icon" href="/static/portal/favicon.svg"'
    assert icon in client.get(reverse("login")).content.decode()
    link = InvitationFactory(school_class=class_5a, role=Role.PARENT, created_by=operator)
    assert icon in client.get(reverse("invite", kwargs={"token": link.token})).content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/portal/favicon.svg"
    assert client.get("/static/portal/favicon.svg").status_code == 200


def test_a_parent_opening_a_stale_link_reads_no_error_codes(client, class_5a, operator):
    link = expired(InvitationFactory(school_class=class_5a, role=Role.PARENT, created_by=operator))
    response = client.get(reverse("invite", kwargs={"token": link.token}))
    assert response.status_code == 410
    page = response.content.decode()
    assert "Ссылка больше не действует" in page and "Ошибка 410" not in page
    missing = client.get(reverse("invite", kwargs={"token": "x" * 30}))
    assert missing.status_code == 404 and "Ошибка 404" not in missing.content.decode()


@pytest.mark.parametrize(
    "total, words", [(1, "1 из 1 класса"), (21, "20 из 21 класса"), (33, "20 из 33 классов")]
)
def test_of_n_classes_takes_the_genitive_of_the_count(total, words):
    shown = render(
        "{% blocktranslate count total=n with done=d %}Все обязательные чаты: {{ done }} из "
        "{{ total }} класса{% plural %}Все обязательные чаты: {{ done }} из {{ total }} классов"
        "{% endblocktranslate %}",
        n=total,
        d=min(total, 20),
    )
    assert shown == f"Все обязательные чаты: {words}"


@pytest.mark.parametrize(
    "total, unit, words",
    [
        (1, "приказов", "1 из 1 приказа"),
        (21, "классов", "1 из 21 класса"),
        (11, "классов", "1 из 11 классов"),
        (33, "классов", "1 из 33 классов"),
        (1, "встреч", "1 из 1 встречи"),
        (1, "штук", "1 из 1 штук"),  # a unit not listed stays as the check names it
    ],
)
def test_a_points_figure_reads_as_russian(total, unit, words):
    row = PointRow(point=None, status=PointStatus.DONE, figure=Figure(done=1, total=total))
    row.unit = unit
    assert row.figure_text == words
