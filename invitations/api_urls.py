from rest_framework.routers import SimpleRouter

from .api import InvitationViewSet, JoinRequestViewSet

router = SimpleRouter()
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("join-requests", JoinRequestViewSet, basename="join-request")

urlpatterns = router.urls
