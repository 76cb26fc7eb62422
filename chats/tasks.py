from celery import shared_task

from compliance.jobs import recorded_run

from .flagging import chat_findings_notify, chats_flag_missing


@shared_task(name="chats.tasks.flag_missing_chats")
def flag_missing_chats() -> dict:
    """Hourly: findings for classes and the school missing a required chat (points 4, 6), then one
    e-mail digest per person about the findings nobody was told about yet."""
    with recorded_run("flag_missing_chats") as report:
        chats_flag_missing(report=report)
        chat_findings_notify(report=report)
    return report.details
