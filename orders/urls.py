from django.urls import include, path

app_name = "orders"

urlpatterns: list = [
    path("", include("orders.dashboard_urls")),
]
