from django.urls import path

from cloudbackup import views

app_name = "cloudbackup"
urlpatterns = [
    path("", views.index, name="index"),
]
