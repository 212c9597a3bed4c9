"""Core pages: dashboard, health, server settings."""

from typing import cast

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anemone.accounts.models import User
from anemone.forms import SiteSettingsForm
from anemone.models import SiteSettings


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


@staff_member_required
def site_settings(request: HttpRequest) -> HttpResponse:
    instance = SiteSettings.load()
    form = SiteSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect("site-settings")
    return render(request, "anemone/settings.html", {"form": form, "title": _("Settings")})
