"""Celery interface of the board: the daily snapshot of every school's figures."""

from celery import shared_task

from board.snapshots import dashboard_snapshot_all
from compliance.jobs import recorded_run


# The task keeps the name API.md's «Jobs» table gives it (and beat schedules already use).
@shared_task(name="orders.tasks.snapshot_dashboard")
def snapshot_dashboard() -> dict:
    """Daily: store every school's dashboard figures (one row per school per day)."""
    with recorded_run("snapshot") as report:
        dashboard_snapshot_all(report=report)
    return report.details
