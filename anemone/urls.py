from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from anemone import views
from anemone.api.schema import CachedSchemaView

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("health", views.health, name="health"),
    path("settings/", views.site_settings, name="site-settings"),
    path("", include("anemone.accounts.urls")),
    path("files/", include("anemone.files.urls")),
    path("runs/", include("anemone.runs.urls")),
    path("peers/", include("peers.urls")),
    path("p2p/", include("p2p.urls")),
    path("cloud/", include("cloudbackup.urls")),
    path("usb/", include("usbbackup.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", CachedSchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("anemone.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
