from django.urls import path

from anemone.drills import views as drill_views
from cloudbackup import views

app_name = "cloudbackup"
urlpatterns = [
    path("", views.index, name="index"),
    path("key/", views.generate_key, name="generate-key"),
    path("new/", views.edit, name="new"),
    path("restore/", views.restore_page, name="restore"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/test/", views.test, name="test"),
    path("<int:pk>/forget-host-key/", views.forget_host_key, name="forget-host-key"),
    path("<int:pk>/sync/", views.sync_now, name="sync"),
    path("<int:pk>/drill/", drill_views.drill_now, {"kind": "cloud", "detail": "cloudbackup:detail"}, name="drill"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
