"""API tokens with a fixed term: ``API_TOKEN_TTL_DAYS`` after they were issued.

Apart from ``api_auth.py`` (the token view) because DRF imports the authentication classes while
its own views module is still loading.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_expires_at(token: Token) -> datetime.datetime:
    return token.created + datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)


def token_expired(token: Token) -> bool:
    return token_expires_at(token) <= timezone.now()


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's ``Authorization: Token …``, refused (401) and deleted once past its fixed term."""

    def authenticate_credentials(self, key):
        try:
            user, token = super().authenticate_credentials(key)
        except exceptions.AuthenticationFailed:
            # DRF refuses an unknown key and a deactivated account alike (the admin's checkbox as
            # well as staff.services.account_disable). The latter's token goes for good, so that
            # re-activating the account does not revive it; a valid token costs no write.
            Token.objects.filter(key=key, user__is_active=False).delete()
            raise
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("Срок действия токена истёк; получите новый."))
        return user, token
