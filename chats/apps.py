from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatsConfig(AppConfig):
    name = "chats"
    verbose_name = _("Чаты")

    def ready(self):
        from . import access, checks  # noqa: F401  (registers the chat checks and who sees chats)
