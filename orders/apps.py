from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Приказы и их исполнение")

    def ready(self):
        from . import access, checks  # noqa: F401  (registers this app's checks and rules)
