from django.contrib import admin
from django.urls import include, path

from anemone import views
from anemone.alerts import views as alert_views
from anemone.api.docs import CachedSchemaView, swagger_view
from anemone.observability import views as observability
from anemone.restores import views as restore_views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("health", views.health, name="health"),
    path("ready", observability.ready, name="ready"),
    path("metrics", observability.metrics, name="metrics"),
    path("settings/", views.site_settings, name="site-settings"),
    path("settings/alerts/", include("anemone.alerts.urls")),
    path("account/alerts/", alert_views.mine, name="my-alerts"),
    path("settings/audit/", include("anemone.audit.urls")),
    path("restore/", restore_views.hub, name="restore"),
    path("", include("anemone.accounts.urls")),
    path("", include("anemone.shares.urls")),
    path("files/", include("anemone.files.urls")),
    path("runs/", include("anemone.runs.urls")),
    path("peers/", include("peers.urls")),
    path("p2p/", include("p2p.urls")),
    path("cloud/", include("cloudbackup.urls")),
    path("usb/", include("usbbackup.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", CachedSchemaView.as_view(), name="api-schema"),
    path("api/docs/", swagger_view, name="api-docs"),
    # Namespaced: the router's names (user-detail, run-list...) must never shadow the portal's pages.
    path("api/v1/", include(("anemone.api.urls", "api"), namespace="api")),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "anemone.views.bad_request"
handler403 = "anemone.views.permission_denied"
handler404 = "anemone.views.page_not_found"
handler500 = "anemone.views.server_error"
