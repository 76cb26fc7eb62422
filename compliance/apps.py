from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Контроль исполнения")

    def ready(self):
        from . import access, checks  # noqa: F401  (registers the checks and who sees the records)
