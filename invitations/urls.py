"""Staff screens, mounted at /invitations/ with the namespace ``invitations``."""

from django.urls import path

from . import consent_views, views

app_name = "invitations"

urlpatterns = [
    path("", views.invitation_list_view, name="list"),
    path("new/", views.invitation_create_view, name="create"),
    path("annul/", views.invitation_bulk_annul_view, name="annul_bulk"),
    path("<int:pk>/", views.invitation_detail_view, name="detail"),
    path("<int:pk>/qr.svg", views.invitation_qr_view, name="qr"),
    path("<int:pk>/print/", views.invitation_print_view, name="print"),
    path("<int:pk>/annul/", views.invitation_annul_view, name="annul"),
    path("<int:pk>/reissue/", views.invitation_reissue_view, name="reissue"),
    path("join-requests/", views.join_request_list_view, name="join_requests"),
    path(
        "join-requests/approve/", views.join_request_bulk_approve_view, name="join_requests_approve"
    ),
    path(
        "join-requests/<int:pk>/approve/",
        views.join_request_approve_view,
        name="join_request_approve",
    ),
    path(
        "join-requests/<int:pk>/reject/", views.join_request_reject_view, name="join_request_reject"
    ),
    path(
        "join-requests/<int:pk>/withdraw-consent/",
        consent_views.join_request_withdraw_consent_view,
        name="join_request_withdraw_consent",
    ),
]
