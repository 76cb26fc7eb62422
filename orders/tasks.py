"""Celery interface of the orders app: thin tasks that record the run and call a service."""

from celery import shared_task

from compliance.jobs import recorded_run

from .deadlines import deadlines_check


@shared_task(name="orders.tasks.check_deadlines")
def check_deadlines() -> dict:
    """Daily: findings for overdue points, reminders to the person in charge today."""
    with recorded_run("check_deadlines") as report:
        deadlines_check(report=report)
    return report.details
