from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Школа и сотрудники")

    def ready(self):
        from . import rules  # noqa: F401  (registers who sees and does what with staff data)
