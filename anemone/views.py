"""Core pages: dashboard, health, server settings, error pages."""

import logging
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from anemone.accounts.models import User
from anemone.decorators import admin_required
from anemone.forms import SiteSettingsForm
from anemone.models import SiteSettings

logger = logging.getLogger(__name__)


def health(request: HttpRequest) -> HttpResponse:
    """Plain liveness probe: 200 OK when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return HttpResponse("DATABASE UNAVAILABLE", status=503, content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    from anemone.dashboard import dashboard_context

    return render(request, "anemone/dashboard.html", dashboard_context(cast(User, request.user)))  # login_required


@admin_required
def site_settings(request: HttpRequest) -> HttpResponse:
    instance = SiteSettings.load()
    form = SiteSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        renamed = form.renamed
        form.save()
        messages.success(request, _("Settings saved."))
        if renamed and form.folders:
            messages.info(request, form.rename_effect())
        return redirect("site-settings")
    from anemone import tls

    certificate = tls.info() if tls.certificate_path().exists() else None
    return render(request, "anemone/settings.html", {"form": form, "title": _("Settings"), "certificate": certificate,
                                                     "https_bind": settings.HTTPS_BIND})


# Error pages: the product's own pages (base layout, translated), never Django's technical ones. Under
# /api/ the answer is JSON in DRF's shape, so API clients get the same kind of body as for a 4xx.
_API_ERRORS = {
    400: _lazy("The request could not be understood."),
    403: _lazy("You do not have permission to perform this action."),
    404: _lazy("Not found."),
    500: _lazy("Server error: the server hit an unexpected error and has logged it."),
}


def _error_response(request: HttpRequest, status: int, reason: str = "") -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(_API_ERRORS[status])}, status=status)
    template = f"{status}.html"
    try:
        return render(request, template, {"reason": reason}, status=status)
    except Exception:  # the page needs the database (user, server name); a broken one must not hide the error
        logger.exception("error page %s could not use the request context", status)
        return HttpResponse(loader.get_template(template).render({"reason": reason}), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_response(request, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_response(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: say what to do (reload the form), in the product's page."""
    return _error_response(request, 403, _("The form had expired or came from another site. "
                                           "Reload the page and try again."))
