from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .accounts import logout, password_reset
from .api_auth import obtain_auth_token

admin.site.site_header = "Портал гимназии: администрирование"
admin.site.site_title = "Портал гимназии"
admin.site.index_title = "Управление данными"

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include("roster.api_urls")),
    path("", include("orders.api_urls")),
    path("", include("chats.api_urls")),
    path("", include("invitations.api_urls")),
    path("", include("board.api_urls")),
    path("", include("messenger.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", include("roster.urls")),
    path("orders/", include("orders.urls")),
    path("orders/", include("board.urls")),  # the board keeps its addresses under /orders/
    path("chats/", include("chats.urls")),
    path("invitations/", include("invitations.urls")),
    path("invite/", include("invitations.public_urls")),
    path("accounts/", include("roster.account_urls")),  # setting one's password: link or code
    path("max/", include("messenger.urls")),
    # Before Django's own: rate-limited, the e-mailed link at PORTAL_BASE_URL (accounts.py).
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/logout/", logout, name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script from /api/docs/?script: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin, the API docs).
    path("favicon.ico", views.favicon, name="favicon"),
]

handler400 = "gymnasium_portal.views.bad_request"
handler403 = "gymnasium_portal.views.permission_denied"
handler404 = "gymnasium_portal.views.page_not_found"
handler500 = "gymnasium_portal.views.server_error"
