from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosterConfig(AppConfig):
    name = "roster"
    verbose_name = _("Кадры и классы школы")

    def ready(self):
        from . import access  # noqa: F401  (registers who imports and who runs accounts)
