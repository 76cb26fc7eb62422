from celery import shared_task

from compliance.jobs import recorded_run

from .ratelimit import invite_guess_counters_purge
from .services import invitations_expire_unused, invitations_flag_expiring_unused


@shared_task(name="invitations.tasks.expire_unused_invitations")
def expire_unused_invitations() -> dict:
    """Hourly: retire the active links past their term (point 3), flag unused ones about to expire;
    forget past guess counters."""
    with recorded_run("expire_invitations") as report:
        invitations_expire_unused(report=report)
        invitations_flag_expiring_unused(report=report)
        invite_guess_counters_purge()
    return report.details
