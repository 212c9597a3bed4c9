from django.urls import path

from anemone.shares import views

urlpatterns = [
    path("account/device-passwords/", views.device_passwords_page, name="account-device-passwords"),
    path("users/<int:pk>/shares/", views.share_access, name="user-share-access"),
    path("settings/shares/", views.share_settings, name="settings-shares"),
]
