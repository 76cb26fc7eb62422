from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api import OrderViewSet

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")

urlpatterns: list = [
    path("", include(router.urls)),
]
