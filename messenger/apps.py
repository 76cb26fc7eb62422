from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessengerConfig(AppConfig):
    name = "messenger"
    verbose_name = _("Мессенджер МАХ")

    def ready(self):
        from . import reminders  # noqa: F401  (registers the bot as a reminder channel)
