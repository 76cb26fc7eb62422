from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "invitations"
    verbose_name = _("Ссылки-приглашения")

    def ready(self):
        from . import access, checks  # noqa: F401  (registers the link checks and who sees links)
