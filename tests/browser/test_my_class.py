"""«Мой класс» in a real browser on a phone:
the class teacher sees ✗ for the parents chat, adds it in
place, sees ✓; the hourly job then resolves the finding and the page says so."""

import pytest

from chats.flagging import chats_flag_missing
from chats.models import Chat, ChatKind
from chats.tasks import flag_missing_chats
from compliance.models import Finding
from invitations.tasks import expire_unused_invitations
from tests.browser.conftest import PHONE
from tests.factories import ChatFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def class_with_students_chat(school, class_5a, teacher_5a):
    from chats.services import chat_requirements_create_defaults

    chat_requirements_create_defaults(school=school)
    ChatFactory(
        school_class=class_5a, kind=ChatKind.CLASS_STUDENTS, title="5А — ученики", members_count=24
    )
    chats_flag_missing()  # the job has run before: the missing parents chat is an open finding
    return class_5a


def parents_card(page):
    return page.locator('li.chk-item[data-kind="class_parents"]')


def test_class_teacher_adds_the_parents_chat_and_the_job_resolves_the_finding(
    phone_page, live_server, login, screenshot, class_with_students_chat
):
    school_class = class_with_students_chat
    page = phone_page
    login(page, "teacher_5a")
    page.goto(f"{live_server.url}/chats/my-class/")
    page.wait_for_selector("#required-chats")
    assert page.url.endswith(f"/chats/my-class/{school_class.pk}/")

    card = parents_card(page)
    assert card.get_attribute("data-state") == "missing"
    assert card.locator(".chk-mark--missing").inner_text() == "✗"
    assert page.locator('li.chk-item[data-kind="class_students"] .chk-mark--ok').inner_text() == "✓"
    assert "24 из 25" in page.locator('li.chk-item[data-kind="class_students"]').inner_text()
    assert "чат с родителями класса" in page.locator("#findings .chk-findings").inner_text()
    screenshot(page, "my-class-parents-missing-phone")

    card.locator("summary", has_text="Добавить чат").click()
    form = card.locator("form")
    assert form.locator("input[name='class_parents-title']").input_value() == "5А класс — родители"
    form.locator("input[name='class_parents-url']").fill(
        "http://sferum.example/p5a"
    )  # not https: refused in place
    form.locator("input[name='class_parents-members_count']").fill("38")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("li.chk-item[data-kind='class_parents'] .errorlist")
    assert "https://" in parents_card(page).locator(".errorlist").inner_text()
    assert not Chat.objects.filter(kind=ChatKind.CLASS_PARENTS).exists()
    screenshot(page, "my-class-parents-bad-link-phone")

    form = parents_card(page).locator("form")
    form.locator("input[name='class_parents-url']").fill("https://web.max.ru/p5a")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("li.chk-item[data-kind='class_parents'][data-state='ok']")
    card = parents_card(page)
    assert card.locator(".chk-mark--ok").inner_text() == "✓"
    assert "38 из 40" in card.inner_text()
    assert "Есть 2 из 2" in page.locator("#required-chats .chk-summary").inner_text()
    assert Chat.objects.get(kind=ChatKind.CLASS_PARENTS).school_class == school_class
    # The finding is closed by the job, not by the page: it is still open until the job runs.
    assert "чат с родителями класса" in page.locator("#findings .chk-findings").inner_text()
    screenshot(page, "my-class-parents-added-phone")

    details = flag_missing_chats()  # the Celery task itself, run in this process
    assert details["resolved"] == 1
    expire_unused_invitations()  # the other job behind a class's findings: now all have run
    page.reload()
    page.wait_for_selector("#findings")
    assert page.locator("#findings .chk-no-findings").is_visible()
    resolved = page.locator("#findings .chk-finding--resolved")
    assert "чат с родителями класса" in resolved.inner_text()
    assert not Finding.objects.filter(school_class=school_class, resolved_at__isnull=True).exists()
    screenshot(page, "my-class-finding-resolved-phone")


def test_without_javascript_the_form_still_adds_the_chat(
    browser, live_server, login, screenshot, class_with_students_chat
):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, java_script_enabled=False, locale="ru-RU"
    )
    page = context.new_page()
    try:
        login(page, "teacher_5a")
        page.goto(f"{live_server.url}/chats/my-class/{class_with_students_chat.pk}/")
        card = parents_card(page)
        card.locator("summary").click()
        card.locator("input[name='class_parents-url']").fill("https://web.max.ru/p5a")
        card.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert parents_card(page).get_attribute("data-state") == "ok"
        assert "Чат добавлен." in page.locator(".flashes").inner_text()
        screenshot(page, "my-class-parents-added-without-js-phone")
    finally:
        context.close()


def test_coordinator_sees_the_school_at_a_glance(
    desktop_page,
    phone_page,
    live_server,
    login,
    screenshot,
    class_with_students_chat,
    class_5b,
    coordinator,
):
    for page, name in ((desktop_page, "school-chats-desktop"), (phone_page, "school-chats-phone")):
        login(page, "coordinator")
        page.goto(f"{live_server.url}/chats/school/")
        row = page.locator(f'tr[data-class="{class_with_students_chat.pk}"]')
        assert row.locator('[data-kind="class_students"] .badge--yes').count() == 1
        assert row.locator('[data-kind="class_parents"] .badge--no').count() == 1
        assert (
            "Все обязательные чаты: 0 из 2 классов"
            in page.locator("#classes-title + .chk-summary, .chk-summary").first.inner_text()
        )
        assert (
            page.locator(
                'li.chk-item[data-kind="school_general"] a', has_text="Добавить чат"
            ).count()
            == 1
        )
        screenshot(page, name)
