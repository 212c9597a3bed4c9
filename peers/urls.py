from django.urls import path

from peers import views

app_name = "peers"
urlpatterns = [
    path("", views.index, name="index"),
    path("add/", views.add, name="add"),
    path("preview/", views.preview, name="preview"),
    path("my-server/", views.my_server, name="my-server"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/check/", views.check_now, name="check"),
    path("<int:pk>/watch/", views.watch, name="watch"),
    path("<int:pk>/toggle/", views.toggle, name="toggle"),
    path("<int:pk>/remove/", views.remove, name="remove"),
    path("<int:pk>/delete-data/", views.delete_data, name="delete-data"),
]
