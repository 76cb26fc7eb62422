from django.urls import path

from . import views

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
]
