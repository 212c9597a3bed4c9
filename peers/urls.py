from django.urls import path

from peers import views

app_name = "peers"
urlpatterns = [
    path("", views.index, name="index"),
]
