"""The messenger's tasks: thin, each takes an id (or nothing) and calls the module that works."""

from __future__ import annotations

import logging

from celery import shared_task

from compliance.jobs import recorded_run

from .client import MaxClient, MaxUnavailable, integration_enabled
from .inbox import inbox_process
from .outbox import outbox_send
from .reminders import max_reminders_queue
from .sync import max_sync

logger = logging.getLogger(__name__)


@shared_task(
    name="messenger.tasks.process_update",
    autoretry_for=(MaxUnavailable,),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=8,
)
def process_update(update_id: int) -> bool:
    """Process one stored MAX update (the webhook queues it; max_sync sweeps what was lost)."""
    if not integration_enabled():
        return False
    with MaxClient.from_settings() as client:
        return inbox_process(update_id=update_id, client=client)


def process_update_enqueue(update_id: int) -> None:
    """Queue the processing; a broker that is down only delays it (the sweep of max_sync and of
    max_poll takes every unprocessed update), it never fails the webhook."""
    try:
        process_update.delay(update_id)
    except Exception as exc:  # kombu raises several kinds for a broker that is down
        logger.warning("MAX update %s not queued (%s): the sweep will process it", update_id, exc)


@shared_task(name="messenger.tasks.max_sync")
def max_sync_job() -> dict:
    """Hourly: every bound chat read from MAX (members, status); nothing with MAX off."""
    with recorded_run("max_sync") as report:
        if not integration_enabled():
            report.details["skipped"] = "MAX_BOT_TOKEN is not set"
            return report.details
        with MaxClient.from_settings() as client:
            max_sync(client=client, report=report)
    return report.details


@shared_task(name="messenger.tasks.send_outbox")
def send_outbox() -> dict:
    """Every few minutes: the reminders waiting in the outbox, sent to MAX once each."""
    with recorded_run("send_max_outbox") as report:
        if not integration_enabled():
            report.details["skipped"] = "MAX_BOT_TOKEN is not set"
            return report.details
        report.add("queued", max_reminders_queue())
        with MaxClient.from_settings() as client:
            for name, count in outbox_send(client=client).items():
                report.add(name, count)
    return report.details
