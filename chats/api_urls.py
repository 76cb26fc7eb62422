from rest_framework.routers import SimpleRouter

from .api import ChatViewSet

router = SimpleRouter()
router.register("chats", ChatViewSet, basename="chat")

urlpatterns = router.urls
