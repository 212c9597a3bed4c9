"""Alert channel pages (admins): add, edit, remove, send a test. They are listed on the Settings page
(templates/alerts/section.html, through the `alert_channels` tag). And every person's own opt-in page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anemone.alerts import services
from anemone.alerts.forms import AlertChannelForm, PersonalAlertsForm
from anemone.alerts.models import AlertChannel
from anemone.decorators import admin_required
from anemone.models import SiteSettings


def _back() -> HttpResponse:
    return redirect(reverse("site-settings") + "#alerts")


@admin_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    channel = get_object_or_404(AlertChannel, pk=pk) if pk else AlertChannel(language=SiteSettings.load().language)
    form = AlertChannelForm(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Alert channel saved. Send a test to check that it reaches you."))
        return _back()
    return render(request, "alerts/edit.html", {"form": form, "channel": channel,
                                                "title": channel.name or _("New alert channel")})


@admin_required
@require_POST
def test(request: HttpRequest, pk: int) -> HttpResponse:
    ok, said = services.send_test(get_object_or_404(AlertChannel, pk=pk))
    (messages.success if ok else messages.error)(request, said)
    return _back()


@admin_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(AlertChannel, pk=pk)
    channel.delete()
    messages.success(request, _("Alert channel “%(name)s” removed.") % {"name": channel.name})
    return _back()


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A person's alerts about their own files: on/off, the address, "send me a test"."""
    preference = services.personal_preference(request.user)
    form = PersonalAlertsForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        preference = form.save()
        if "test" in request.POST:
            ok, said = services.tell_person(preference)
            (messages.success if ok else messages.error)(request, said)
        else:
            messages.success(request, _("Saved."))
        return redirect("my-alerts")
    return render(request, "alerts/mine.html", {"form": form, "preference": preference,
                                                "title": _("Alerts about my files")})
