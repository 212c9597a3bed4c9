from django.urls import path

from anemone.drills import views as drill_views
from usbbackup import import_views, views

app_name = "usbbackup"
urlpatterns = [
    path("", views.index, name="index"),
    path("roots/", views.roots, name="roots"),
    path("new/", views.job_new, name="new"),
    path("estimate/", views.estimate, name="estimate"),
    path("eject/", views.drive_eject, name="eject"),
    path("import/", import_views.import_installation, name="import"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/edit/", views.job_edit, name="edit"),
    path("<int:pk>/sync/", views.job_sync, name="sync"),
    path("<int:pk>/drill/", drill_views.drill_now, {"kind": "usb", "detail": "usbbackup:detail"}, name="drill"),
    path("<int:pk>/delete/", views.job_delete, name="delete"),
    path("<int:pk>/restore-mine/", views.restore_mine, name="restore-mine"),
]
