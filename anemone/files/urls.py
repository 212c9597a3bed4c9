from django.urls import path

from anemone.files import views

app_name = "files"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("download/", views.download, name="download"),
    path("upload/", views.upload, name="upload"),
    path("mkdir/", views.mkdir, name="mkdir"),
    path("rename/", views.rename, name="rename"),
    path("delete/", views.delete, name="delete"),
    path("trash/", views.trash_page, name="trash"),
    path("trash/action/", views.trash_action, name="trash-action"),
]
