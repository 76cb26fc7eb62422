"""The table of periodic jobs: name → Celery task, schedule and description (DESIGN.md §6).

Celery wiring, like a beat schedule: the tasks are named by string, so this module imports no app.
``manage.py run_job NAME`` runs one in-process, ``setup_periodic_tasks`` writes the schedule to
django-celery-beat (editable afterwards in the admin). Times are Europe/Moscow (CELERY_TIMEZONE).
"""

from __future__ import annotations

from dataclasses import dataclass

from celery import Task

from .celery import app


@dataclass(frozen=True)
class Job:
    task: str  # the Celery task's name, as API.md's «Jobs» table lists it
    crontab: dict[str, str]
    description: str


JOB_TABLE: dict[str, Job] = {
    "expire_invitations": Job(
        "invitations.tasks.expire_unused_invitations",
        {"minute": "5", "hour": "*"},
        "Аннулирование невостребованных ссылок-приглашений (ежечасно)",
    ),
    "flag_missing_chats": Job(
        "chats.tasks.flag_missing_chats",
        {"minute": "15", "hour": "*"},
        "Поиск классов без обязательных чатов (ежечасно)",
    ),
    "check_deadlines": Job(
        "orders.tasks.check_deadlines",
        {"minute": "0", "hour": "7"},
        "Просроченные пункты приказов и напоминания (ежедневно)",
    ),
    "max_sync": Job(
        "messenger.tasks.max_sync",
        {"minute": "40", "hour": "*"},
        "Сверка привязанных чатов с МАХ: участники, состояние (ежечасно)",
    ),
    "send_max_outbox": Job(
        "messenger.tasks.send_outbox",
        {"minute": "*/5", "hour": "*"},
        "Отправка напоминаний в МАХ из очереди (каждые 5 минут)",
    ),
    "erase_personal_data": Job(
        "invitations.tasks.erase_personal_data",
        {"minute": "45", "hour": "3"},
        "Удаление персональных данных по истечении срока хранения (ежедневно)",
    ),
    "snapshot": Job(
        "orders.tasks.snapshot_dashboard",
        {"minute": "25", "hour": "*"},
        "Снимок показателей школ: тренды и таблица инспектора (ежечасно)",
    ),
}

# NAME → the Celery task's name.
JOBS: dict[str, str] = {name: job.task for name, job in JOB_TABLE.items()}


def job_task(name: str) -> Task:
    """The Celery task of job ``name``
    (the apps' ``tasks`` modules loaded as a worker loads them)."""
    app.loader.import_default_modules()
    return app.tasks[JOBS[name]]
