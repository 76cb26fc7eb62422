"""Celery interface of the orders app: thin tasks that record the run and call a service."""

from celery import shared_task

from .jobs import recorded_run


@shared_task(name="orders.tasks.check_deadlines")
def check_deadlines() -> dict:
    """Daily: findings for overdue points, reminders to the person in charge today (issue: order execution)."""
    from .services import deadlines_check

    with recorded_run("check_deadlines") as report:
        deadlines_check(report=report)
    return report.details


@shared_task(name="orders.tasks.snapshot_dashboard")
def snapshot_dashboard() -> dict:
    """Daily: store every school's dashboard figures (one row per school per day)."""
    from .dashboard import dashboard_snapshot_all

    with recorded_run("snapshot") as report:
        dashboard_snapshot_all(report=report)
    return report.details
