"""Deadlines tell the truth (issue 12, item 5): a point done after its deadline is «выполнено с
опозданием»; a recorded date changes only with a reason, kept in the history; overdue tasks carry a
badge on the responsible person's start page and in «Мои задачи»."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from compliance.registry import points_evaluate
from orders.models import OrderEvent, Regulation

from .conftest import add_point, days, name

pytestmark = pytest.mark.django_db


def _regulation(order, **fields):
    fields.setdefault("approved_on", order.date)
    return Regulation.objects.create(school=order.school, order=order, title="Положение", **fields)


def test_the_board_says_done_late_not_overdue(client, director, order, today):
    add_point(order, "8", "regulation_published", deadline=today - days(10))
    _regulation(order, published_on=today - days(2), published_url="https://school.example/r.pdf")
    client.force_login(director)
    html = client.get(reverse("board:board")).content.decode()
    row = html.split('data-point="8"')[1].split("</tr>")[0]
    assert 'data-status="done"' in html.split('data-point="8"')[1][:40]
    assert "выполнено с опозданием" in row and "просрочено" not in row
    assert "1 из 1" in row
    detail = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "выполнено с опозданием" in detail


def test_changing_a_recorded_publication_date_needs_a_reason(
    client, web_editor, coordinator, order, today
):
    point = add_point(order, "8", "regulation_published", deadline=today - days(3))
    regulation = _regulation(
        order,
        approved_on=today - days(30),
        published_on=today - days(5),
        published_url="https://school.example/r.pdf",
    )
    client.force_login(web_editor)
    url = reverse("orders:regulation_publish", args=[regulation.pk])
    data = {"url": "https://school.example/r.pdf", "published_on": (today - days(1)).isoformat()}
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "уже записана: укажите причину" in refused.content.decode()
    regulation.refresh_from_db()
    assert regulation.published_on == today - days(5)

    done = client.post(url, {**data, "date_change_reason": "Опечатка: опубликовано позже"})
    assert done.status_code == 302
    regulation.refresh_from_db()
    assert regulation.published_on == today - days(1)
    event = point.events.get(kind=OrderEvent.Kind.DATE_CHANGED)
    assert event.actor == web_editor
    assert event.message == (
        f"Дата публикации положения: {today - days(5):%d.%m.%Y} → {today - days(1):%d.%m.%Y}. "
        "Причина: Опечатка: опубликовано позже"
    )
    client.force_login(coordinator)
    detail = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "изменена записанная дата: Дата публикации положения" in detail
    assert "Причина: Опечатка: опубликовано позже" in detail


def test_the_same_publication_date_again_needs_no_reason(client, web_editor, order, today):
    regulation = _regulation(
        order, published_on=today - days(5), published_url="https://school.example/r.pdf"
    )
    client.force_login(web_editor)
    response = client.post(
        reverse("orders:regulation_publish", args=[regulation.pk]),
        {"url": "https://school.example/new.pdf", "published_on": (today - days(5)).isoformat()},
    )
    assert response.status_code == 302
    assert not OrderEvent.objects.filter(kind=OrderEvent.Kind.DATE_CHANGED).exists()


def _point_data(point, **changes):
    return {
        "number": point.number,
        "position": point.position,
        "parent": "",
        "text": point.text,
        "deadline": point.deadline.isoformat() if point.deadline else "",
        "check_key": point.check_key,
        **changes,
    }


def test_moving_a_recorded_deadline_needs_a_reason_and_shows_in_the_history(
    client, coordinator, order, today
):
    point = add_point(order, "1", "regulation_attached", deadline=today - days(3))
    client.force_login(coordinator)
    url = reverse("orders:point_edit", args=[point.pk])
    assert "date_change_reason" in client.get(url).content.decode()
    moved = (today + days(7)).isoformat()
    refused = client.post(url, _point_data(point, deadline=moved))
    assert refused.status_code == 400 and "укажите причину" in refused.content.decode()
    point.refresh_from_db()
    assert point.deadline == today - days(3)

    client.post(url, _point_data(point, deadline=moved, date_change_reason="Письмо УО от 01.12"))
    point.refresh_from_db()
    assert point.deadline == today + days(7)
    event = point.events.get(kind=OrderEvent.Kind.DATE_CHANGED)
    assert event.message.startswith(f"Срок пункта: {today - days(3):%d.%m.%Y} → ")
    assert event.message.endswith("Причина: Письмо УО от 01.12")
    # Other fields still change freely, and a new point's first deadline needs no reason.
    assert client.post(url, _point_data(point, text="Новый текст")).status_code == 302
    new = client.get(reverse("orders:point_create", args=[order.pk])).content.decode()
    assert "date_change_reason" not in new


def test_overdue_tasks_carry_a_badge_on_home_and_in_my_tasks(
    client, coordinator, director, order, today, django_assert_max_num_queries
):
    overdue = add_point(
        order, "1", "regulation_attached", deadline=today - days(2), text="Утвердить"
    )
    on_time = add_point(order, "2", "regulation_attached", deadline=today + days(5))
    name(overdue, coordinator.person)
    name(on_time, coordinator.person)
    client.force_login(coordinator)
    with django_assert_max_num_queries(20):
        home = client.get(reverse("home")).content.decode()
    assert "Просрочено задач: 1" in home and "data-overdue-badge" in home
    assert f"#point-{overdue.pk}" in home and f"#point-{on_time.pk}" not in home
    tasks = client.get(reverse("orders:list")).content.decode()
    section = tasks.split('id="my-tasks"')[1]
    assert section.index(f'data-point="{overdue.pk}" data-overdue') < section.index(
        f'data-point="{on_time.pk}"'
    )
    assert "просрочено" in section.split(f'data-point="{overdue.pk}"')[1].split("</tr>")[0]
    # Somebody who answers for nothing sees no badge.
    client.force_login(director)
    assert "data-overdue-badge" not in client.get(reverse("home")).content.decode()
    results = points_evaluate(points=[overdue], today=today)
    assert results[overdue.pk].status == "overdue"


def test_the_department_documents_say_done_late_too(client, director, order, today):
    add_point(order, "8", "regulation_published", deadline=today - days(10))
    _regulation(order, published_on=today - days(2), published_url="https://school.example/r.pdf")
    client.force_login(director)
    school = order.school_id
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("board:board_export_school", args=[school, "xlsx"])).content)
    )
    cells = [cell.value for row in workbook.worksheets[0].iter_rows() for cell in row]
    assert "выполнено с опозданием" in cells
    pdf = PdfReader(
        io.BytesIO(client.get(reverse("board:board_export_school", args=[school, "pdf"])).content)
    )
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "выполнено с опозданием" in text
