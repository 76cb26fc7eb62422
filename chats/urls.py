from django.urls import path

from . import views

app_name = "chats"

urlpatterns = [
    path("my-class/", views.my_class, name="my_class"),
    path("my-class/<int:class_id>/", views.my_class_detail, name="my_class_detail"),
    path("my-class/<int:class_id>/add/<str:kind>/", views.class_chat_add, name="class_chat_add"),
    path("my-class/<int:class_id>/declined/", views.class_declined, name="class_declined"),
    path("school/", views.school_matrix, name="school_matrix"),
    path("school/add/", views.school_chat_add, name="school_chat_add"),
    path("<int:chat_id>/edit/", views.chat_edit, name="chat_edit"),
    path("<int:chat_id>/archive/", views.chat_archive, name="chat_archive"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/add/", views.meeting_add, name="meeting_add"),
    path("meetings/<int:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
]
