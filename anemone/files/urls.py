from django.urls import path

from anemone.files import views

app_name = "files"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("trash/", views.trash, name="trash"),
]
