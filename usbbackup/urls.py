from django.urls import path

from usbbackup import views

app_name = "usbbackup"
urlpatterns = [
    path("", views.index, name="index"),
]
