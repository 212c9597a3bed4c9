from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from anemone import views
from anemone.alerts import views as alert_views
from anemone.api.docs import CachedSchemaView, swagger_view
from anemone.observability import views as observability
from anemone.restores import views as restore_views

_django_admin_login = admin.site.login


def _admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """A person who is logged in but not an admin gets the product's "not allowed" page, not the Django
    admin's login form (which asked them to log in again as someone else)."""
    if request.user.is_authenticated and not request.user.is_staff:
        raise PermissionDenied
    return _django_admin_login(request, extra_context)


admin.site.login = _admin_login  # type: ignore[method-assign]

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
