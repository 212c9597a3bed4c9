from django.contrib.auth import views as auth_views
from django.urls import path

from anemone.accounts import views

urlpatterns = [
    path("setup/", views.setup, name="setup"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("users/", views.users, name="users"),
]
