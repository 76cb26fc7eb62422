from django.urls import path

from . import views

app_name = "messenger"

urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
    path("unbound/", views.unbound_chats, name="unbound_chats"),
    path("account/", views.my_account, name="my_account"),
    path("point4/", views.point4_setting, name="point4_setting"),
]
