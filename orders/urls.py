from django.urls import path

from . import files_views, papers_views, views

app_name = "orders"

urlpatterns: list = [
    path("", views.order_list_view, name="list"),
    path("new/", views.order_create_view, name="create"),
    path("<int:pk>/", views.order_detail_view, name="detail"),
    path("<int:pk>/edit/", views.order_edit_view, name="edit"),
    path("<int:pk>/points/new/", views.point_create_view, name="point_create"),
    path("points/<int:pk>/edit/", views.point_edit_view, name="point_edit"),
    path(
        "points/<int:pk>/responsibility/", views.responsibility_add_view, name="responsibility_add"
    ),
    path(
        "responsibility/<int:pk>/remove/",
        views.responsibility_remove_view,
        name="responsibility_remove",
    ),
    path("points/<int:pk>/evidence/", views.evidence_add_view, name="evidence_add"),
    path("<int:pk>/acknowledge/", papers_views.acknowledge_view, name="acknowledge"),
    path("<int:pk>/acknowledgements/", papers_views.acknowledgements_view, name="acknowledgements"),
    path(
        "<int:pk>/acknowledgements/print/",
        papers_views.acknowledgement_print_view,
        name="acknowledgement_print",
    ),
    path("<int:pk>/distribute/", papers_views.distribute_view, name="distribute"),
    path("<int:pk>/regulation/", papers_views.regulations_view, name="regulations"),
    path(
        "<int:pk>/regulation/upload/", papers_views.regulation_upload_view, name="regulation_upload"
    ),
    path(
        "regulation/<int:pk>/publish/",
        papers_views.regulation_publish_view,
        name="regulation_publish",
    ),
    path("<int:pk>/file/", files_views.order_file_view, name="order_file"),
    path("regulation/<int:pk>/file/", files_views.regulation_file_view, name="regulation_file"),
    path("evidence/<int:pk>/file/", files_views.evidence_file_view, name="evidence_file"),
    path("admin-request/", papers_views.admin_request_view, name="admin_request"),
]
