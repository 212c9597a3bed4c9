from django.urls import path

from anemone.drills import views as drill_views
from anemone.restores import views as restore_views
from p2p import views

app_name = "p2p"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/backup/", views.backup_now, name="backup"),
    path("<int:pk>/drill/", drill_views.drill_now, {"kind": "p2p", "detail": "p2p:detail"}, name="drill"),
    path("<int:pk>/bulk-restore/", views.bulk_restore, name="bulk-restore"),
    path("restore/", restore_views.hub, name="restore"),  # the hub moved to core (/restore/); old links still work
    path("restore/<slug:peer>/", views.snapshots, name="snapshots"),
    path("restore/<slug:peer>/<str:snapshot>/", views.browse, name="browse"),
    path("restore/<slug:peer>/<str:snapshot>/download/", views.download, name="download"),
    path("restore/<slug:peer>/<str:snapshot>/restore/", views.restore_here, name="restore-here"),
]
