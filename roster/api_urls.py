from rest_framework.routers import SimpleRouter

from .api import SchoolClassViewSet

router = SimpleRouter()
router.register("classes", SchoolClassViewSet, basename="schoolclass")

urlpatterns = router.urls
