"""Russian forms the admin needs and Django cannot make: «Добавить сотрудника», not «Добавить
сотрудник» (Django writes the nominative ``verbose_name`` after «Добавить»)."""

from __future__ import annotations

from django import template
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()

#: The accusative of each model's name, by ``app_label.model_name``.
ACCUSATIVE = {
    "auth.group": "группу",
    "auth.user": "пользователя",
    "authtoken.tokenproxy": "токен",
    "django_celery_beat.periodictask": "периодическую задачу",
    "django_celery_beat.clockedschedule": "время",
    "django_celery_beat.crontabschedule": "расписание crontab",
    "django_celery_beat.solarschedule": "астрономическое событие",
    "django_celery_beat.intervalschedule": "интервал",
    "staff.school": "школу",
    "staff.person": "сотрудника",
    "staff.schoolclass": "класс",
    "staff.absence": "отсутствие",
    "staff.trainingrecord": "запись об обучении",
    "staff.statusconfirmation": "подтверждение статуса",
    "staff.movement": "запись о движении",
    "chats.chatrequirement": "требование к чатам",
    "chats.chat": "чат",
    "chats.meeting": "встречу / мероприятие",
    "invitations.invitation": "ссылку-приглашение",
    "invitations.joinrequest": "заявку на присоединение",
    "orders.order": "приказ",
    "orders.orderpoint": "пункт приказа",
    "orders.responsibility": "ответственность",
    "orders.regulation": "положение",
    "orders.acknowledgement": "ознакомление",
    "orders.adminregistrationrequest": "заявку на регистрацию администратора",
    "roster.importrun": "загрузку из таблицы",
}


@register.filter
def add_label(opts) -> str:
    """«Добавить сотрудника» for the model whose ``_meta`` is ``opts``."""
    name = ACCUSATIVE.get(opts.label_lower, opts.verbose_name)
    return _("Добавить %(name)s") % {"name": name}


@register.filter
def add_title(opts) -> str:
    return capfirst(add_label(opts))


@register.filter
def changelist_title(cl) -> str:
    """«Выберите сотрудника для изменения» (or «… для просмотра» without the right to change)."""
    name = ACCUSATIVE.get(cl.opts.label_lower, cl.opts.verbose_name)
    if "изменени" in str(cl.title):  # Django chose «to change» by the user's right
        return _("Выберите %(name)s для изменения") % {"name": name}
    return _("Выберите %(name)s для просмотра") % {"name": name}
