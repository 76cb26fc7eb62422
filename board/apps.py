from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardConfig(AppConfig):
    name = "board"
    verbose_name = _("Панель руководителя")

    def ready(self):
        from . import access  # noqa: F401  (registers who opens the board)
