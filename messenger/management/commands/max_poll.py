import time

from django.core.management.base import BaseCommand

from messenger.client import MaxClient, MaxError, integration_enabled
from messenger.inbox import UPDATE_TYPES, inbox_store, inbox_sweep

POLL_ERROR_PAUSE = 5.0

OFF = "Интеграция с МАХ выключена (MAX_BOT_TOKEN не задан): ничего не сделано."


class Command(BaseCommand):
    help = (
        "Receive MAX updates by long polling (GET /updates) — for a school without a public HTTPS "
        "address; MAX does not deliver to a webhook and to polling at once. Each update is stored "
        "in the inbox and processed exactly as the webhook's are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=int, default=30, help="seconds per long poll")
        parser.add_argument(
            "--once", action="store_true", help="one poll, then process and exit (tests, cron)"
        )

    def handle(self, *args, timeout, once, **options):
        if not integration_enabled():
            self.stdout.write(OFF)
            return
        marker = None
        with MaxClient.from_settings() as client:
            while True:
                try:
                    answer = client.updates(marker=marker, timeout=timeout)
                except MaxError as exc:
                    self.stderr.write(f"MAX: {exc}")
                    if once:
                        return
                    time.sleep(POLL_ERROR_PAUSE)
                    continue
                stored = 0
                for update in answer.get("updates") or []:
                    if update.get("update_type") not in UPDATE_TYPES:
                        continue
                    try:
                        stored += inbox_store(update)[1]
                    except ValueError as exc:
                        self.stderr.write(f"skipped a malformed update: {exc}")
                if isinstance(answer.get("marker"), int):
                    marker = answer["marker"]
                processed, failed = inbox_sweep(client=client)
                self.stdout.write(f"stored {stored}, processed {processed}, failed {failed}")
                if once:
                    return
