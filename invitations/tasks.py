from celery import shared_task

from compliance.jobs import recorded_run

from .consent import personal_data_erase
from .services import invitations_expire_unused, invitations_flag_expiring_unused


@shared_task(name="invitations.tasks.expire_unused_invitations")
def expire_unused_invitations() -> dict:
    """Hourly: retire the active links past their term (point 3), flag unused ones expiring soon."""
    with recorded_run("expire_invitations") as report:
        invitations_expire_unused(report=report)
        invitations_flag_expiring_unused(report=report)
    return report.details


@shared_task(name="invitations.tasks.erase_personal_data")
def erase_personal_data() -> dict:
    """Daily: erase the personal fields past PERSONAL_DATA_RETENTION_DAYS (152-ФЗ)."""
    with recorded_run("erase_personal_data") as report:
        personal_data_erase(report=report)
    return report.details
