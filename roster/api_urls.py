from rest_framework.routers import SimpleRouter

from .api import SchoolClassViewSet
from .imports.api import ImportRunViewSet

router = SimpleRouter()
router.register("classes", SchoolClassViewSet, basename="schoolclass")
router.register("imports", ImportRunViewSet, basename="importrun")

urlpatterns = router.urls
