from django.urls import path

from p2p import views

app_name = "p2p"
urlpatterns = [
    path("", views.index, name="index"),
    path("restore/", views.restore, name="restore"),
]
