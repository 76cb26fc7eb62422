from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from messenger.bindings import deep_link_base
from messenger.client import MaxClient, MaxError, integration_enabled
from messenger.inbox import UPDATE_TYPES

OFF = "Интеграция с МАХ выключена (MAX_BOT_TOKEN не задан): ничего не сделано."


class Command(BaseCommand):
    help = (
        "Subscribe the portal's webhook in MAX (POST /subscriptions with the secret) and print the "
        "bot's deep-link base. The webhook must be an https:// address MAX can reach."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", help="the webhook's public address, https://…/max/webhook/")

    def handle(self, *args, url, **options):
        if not integration_enabled():
            self.stdout.write(OFF)
            return
        if not url.startswith("https://"):
            raise CommandError("MAX accepts only an https:// webhook address.")
        if not settings.MAX_WEBHOOK_SECRET:
            raise CommandError("Set MAX_WEBHOOK_SECRET: the webhook refuses updates without it.")
        try:
            with MaxClient.from_settings() as client:
                me = client.me()
                result = client.subscribe(
                    url=url, update_types=list(UPDATE_TYPES), secret=settings.MAX_WEBHOOK_SECRET
                )
        except MaxError as exc:
            raise CommandError(f"MAX refused: {exc}") from exc
        if not result.get("success"):
            raise CommandError(f"MAX refused the subscription: {result.get('message', '')}")
        self.stdout.write(f"subscribed: {url} ({', '.join(UPDATE_TYPES)})")
        self.stdout.write(f"bot: {me.get('username') or settings.MAX_BOT_USERNAME}")
        self.stdout.write(f"deep link: {deep_link_base()}?start=<code>")
