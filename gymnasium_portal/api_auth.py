"""``POST /api/v1/auth/token/``: DRF's token view with the username bounded like the model's field.

DRF's ``AuthTokenSerializer`` takes a username of any length and hands it to ``authenticate``; a
failed attempt is then recorded by django-axes in a ``varchar(255)`` column, so a longer username
(found by tests/test_api_fuzz.py) raised a DataError and answered 500. No account can have a longer
username than ``User.username`` allows: such a request is bad input (400), checked before anything
is authenticated or recorded.

Tokens expire ``API_TOKEN_TTL_DAYS`` (default 30) after they were issued — a fixed term, not a
sliding one: using a token does not prolong it, so a token copied from a laptop is dead within the
term whatever its thief does. Asking the endpoint again within the term returns the same token;
after it, a new one. A password change or a deactivated account revokes every token at once
(``gymnasium_portal.auth.RevokeCredentialsOnPasswordChange``, ``staff.services.account_disable``).
"""

from typing import cast

from django.contrib.auth import get_user_model
from django.db.models import Field
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from .parsers import PortalJSONParser
from .token_auth import token_expired, token_expires_at

# The username is a concrete field, not a relation (get_field says Field | ForeignObjectRel).
_username_field = cast(Field, get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD))
USERNAME_MAX_LENGTH = _username_field.max_length


class PortalAuthTokenSerializer(AuthTokenSerializer):
    username = serializers.CharField(
        label=_("Username"), write_only=True, max_length=USERNAME_MAX_LENGTH
    )


class PortalObtainAuthToken(ObtainAuthToken):
    serializer_class = PortalAuthTokenSerializer
    # DRF's view names its own parsers: its JSON one would answer 500 for a too deeply nested body.
    parser_classes = (FormParser, MultiPartParser, PortalJSONParser)

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})


obtain_auth_token = PortalObtainAuthToken.as_view()
