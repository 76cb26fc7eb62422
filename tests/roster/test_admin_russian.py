"""The admin in Russian as the coordinator reads it (issue 12, item 6): «Добавить сотрудника»,
«Удалить выбранные ответственности», check and job names instead of keys, the greeting by name."""

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance.models import Finding, JobRun
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_of(client, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    return client


def test_add_is_in_the_accusative(admin_client_of):
    page = admin_client_of.get(reverse("admin:staff_person_changelist")).content.decode()
    assert "Добавить сотрудника" in page and "Добавить сотрудник<" not in page
    page = admin_client_of.get(reverse("admin:staff_person_add")).content.decode()
    assert "<h1>Добавить сотрудника</h1>" in page
    changelist = admin_client_of.get(reverse("admin:staff_person_changelist")).content.decode()
    assert "<h1>Выберите сотрудника для изменения</h1>" in changelist
    assert "<title>Добавить сотрудника |" in page
    page = admin_client_of.get(reverse("admin:roster_importrun_add")).content.decode()
    assert "<h1>Добавить загрузку из таблицы</h1>" in page


def test_delete_selected_responsibilities(admin_client_of, school):
    OrderFactory(school=school)
    page = admin_client_of.get(reverse("admin:orders_responsibility_changelist")).content.decode()
    assert "Удалить выбранные ответственности" in page


def test_greeting_by_name_not_login(admin_client_of, coordinator):
    page = admin_client_of.get(reverse("admin:index")).content.decode()
    assert f"Здравствуйте, <strong>{coordinator.person.full_name}</strong>" in page


def test_check_keys_and_job_names_in_russian(admin_client_of, school, class_5a):
    Finding.objects.create(
        school=school,
        check_key="class_chat_missing",
        subject_key=f"class:{class_5a.pk}:class_parents",
        school_class=class_5a,
        message="Нет чата родителей",
        opened_at=timezone.now(),
    )
    JobRun.objects.create(name="expire_invitations", started_at=timezone.now(), status="success")
    page = admin_client_of.get(reverse("admin:compliance_finding_changelist")).content.decode()
    assert ">class_chat_missing<" not in page
    assert "У класса нет обязательного чата" in page
    page = admin_client_of.get(reverse("admin:compliance_jobrun_changelist")).content.decode()
    assert "Аннулирование невостребованных ссылок-приглашений (ежечасно)" in page
    assert ">expire_invitations<" not in page
