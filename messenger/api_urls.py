from django.urls import path

from . import api

urlpatterns = [path("me/max-link/", api.me_max_link, name="api-me-max-link")]
