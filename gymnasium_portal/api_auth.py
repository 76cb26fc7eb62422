"""``POST /api/v1/auth/token/``: DRF's token view with the username bounded like the model's field.

DRF's ``AuthTokenSerializer`` takes a username of any length and hands it to ``authenticate``; a
failed attempt is then recorded by django-axes in a ``varchar(255)`` column, so a longer username
(found by tests/test_api_fuzz.py) raised a DataError and answered 500. No account can have a longer
username than ``User.username`` allows: such a request is bad input (400), checked before anything
is authenticated or recorded.
"""

from typing import cast

from django.contrib.auth import get_user_model
from django.db.models import Field
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser

from .parsers import PortalJSONParser

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


obtain_auth_token = PortalObtainAuthToken.as_view()
