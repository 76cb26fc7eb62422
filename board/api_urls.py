from django.urls import path

from .api import DashboardView

urlpatterns: list = [
    path("dashboard/", DashboardView.as_view(), name="api-dashboard"),
]
