from django.urls import path

from . import school_views, turnover_views, views

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
    path("statuses/", views.statuses_view, name="statuses"),
    path("schools/add/", school_views.school_add_view, name="school_add"),
    path("new-year/", turnover_views.turnover_view, name="turnover"),
    path("new-year/<int:pk>/", turnover_views.turnover_record_view, name="turnover_record"),
    path("new-year/<int:pk>/revert/", turnover_views.turnover_revert_view, name="turnover_revert"),
]
