"""The person's side of the accounts, no login needed: under /accounts/ next to the sign-in."""

from django.urls import path

from .accounts import views

app_name = "account"

urlpatterns = [
    path("set/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
    path("set/done/", views.account_done_view, name="done"),
    path("code/", views.account_code_view, name="code"),
]
