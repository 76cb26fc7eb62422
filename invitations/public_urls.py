"""Mounted at /invite/ (gymnasium_portal/urls.py): the public page of a link, no login."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("<str:token>/", public_views.invite, name="invite"),
]
