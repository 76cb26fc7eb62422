from celery import shared_task

from compliance.jobs import recorded_run

from .services import invitations_expire_unused, invitations_flag_expiring_unused


@shared_task(name="invitations.tasks.expire_unused_invitations")
def expire_unused_invitations() -> dict:
    """Hourly: retire the active links past their term (point 3), flag unused ones expiring soon."""
    with recorded_run("expire_invitations") as report:
        invitations_expire_unused(report=report)
        invitations_flag_expiring_unused(report=report)
    return report.details
