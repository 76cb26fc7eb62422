from django.urls import include, path

urlpatterns: list = [
    path("", include("orders.dashboard_api_urls")),
]
