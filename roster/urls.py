from django.urls import path

from . import schedule, school_views, turnover_views, views
from .accounts import views as account_views
from .imports import views as import_views

app_name = "staff"  # the pages keep their addresses and names under /staff/

urlpatterns: list = [
    path("people/", views.people_view, name="people"),
    path("people/<int:pk>/leave/", views.person_leave_view, name="person_leave"),
    path("classes/", views.classes_view, name="classes"),
    path("classes/<int:pk>/teacher/", views.class_teacher_view, name="class_teacher"),
    path("classes/<int:pk>/students/", views.class_students_view, name="class_students"),
    path("movements/", views.movements_view, name="movements"),
    path("absences/", views.absences_view, name="absences"),
    path("absences/<int:pk>/edit/", views.absence_edit_view, name="absence_edit"),
    path("training/", views.training_view, name="training"),
    path(
        "training/<int:pk>/certificate/",
        views.training_certificate_view,
        name="training_certificate",
    ),
    path("statuses/", views.statuses_view, name="statuses"),
    # Imports from a spreadsheet (API.md, «Imports»): the coordinator and the operator.
    path("imports/", import_views.import_list_view, name="imports"),
    path("imports/<int:pk>/", import_views.import_detail_view, name="import_detail"),
    path("imports/<int:pk>/progress/", import_views.import_progress_view, name="import_progress"),
    path("imports/<int:pk>/apply/", import_views.import_apply_view, name="import_apply"),
    path(
        "imports/template/<str:kind>.xlsx",
        import_views.import_template_view,
        name="import_template",
    ),
    # The school's logins: the coordinator.
    path("accounts/", account_views.accounts_view, name="accounts"),
    path(
        "accounts/create-all/", account_views.accounts_create_all_view, name="accounts_create_all"
    ),
    path("accounts/<int:pk>/create/", account_views.account_create_view, name="account_create"),
    path("accounts/<int:pk>/reset/", account_views.account_reset_view, name="account_reset"),
    path(
        "accounts/<int:pk>/deactivate/",
        account_views.account_active_view,
        {"active": False},
        name="account_deactivate",
    ),
    path(
        "accounts/<int:pk>/activate/",
        account_views.account_active_view,
        {"active": True},
        name="account_activate",
    ),
    # The job schedule: the coordinator.
    path("jobs/", schedule.jobs_view, name="jobs"),
    path("schools/add/", school_views.school_add_view, name="school_add"),
    path("new-year/", turnover_views.turnover_view, name="turnover"),
    path("new-year/<int:pk>/", turnover_views.turnover_record_view, name="turnover_record"),
    path("new-year/<int:pk>/revert/", turnover_views.turnover_revert_view, name="turnover_revert"),
]
