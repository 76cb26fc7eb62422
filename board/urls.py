from django.urls import path, re_path

from . import inspector_views, views

app_name = "board"

urlpatterns: list = [
    path("board/", views.board, name="board"),
    path("board/<int:school_id>/", views.board, name="board_school"),
    path("board/findings/", views.drilldown, name="drilldown"),
    path("board/<int:school_id>/findings/", views.drilldown, name="drilldown_school"),
    re_path(r"^board/export\.(?P<fmt>xlsx|pdf)$", views.export, name="board_export"),
    re_path(
        r"^board/(?P<school_id>[0-9]+)/export\.(?P<fmt>xlsx|pdf)$",
        views.export,
        name="board_export_school",
    ),
    path("inspector/", inspector_views.inspector, name="inspector"),
    re_path(
        r"^inspector/export\.(?P<fmt>xlsx|pdf)$", views.inspector_export, name="inspector_export"
    ),
]
