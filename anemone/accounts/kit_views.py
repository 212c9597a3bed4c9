"""The recovery kit after setup: a dashboard reminder until an admin confirms it is stored, and the kit
shown again to an admin who types their password (it holds the master key).

The kit is what a family needs to rebuild the server from a USB backup; a kit never printed is found
missing on the worst day. So the reminder stays until an admin says, with a POST, that it is stored.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from anemone import crypto
from anemone.accounts.forms import RecoveryKitConfirmForm
from anemone.accounts.models import User
from anemone.decorators import admin_required
from anemone.models import SiteSettings


class KitPasswordForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def confirm_kit_stored() -> None:
    """Record, once, that an admin has printed or stored the recovery kit."""
    SiteSettings.load()
    SiteSettings.objects.filter(pk=1, recovery_kit_confirmed_at__isnull=True).update(
        recovery_kit_confirmed_at=timezone.now())


def kit_reminder_needed(user: User) -> bool:
    """Admins are reminded until the kit is confirmed (people have nothing to do with it)."""
    return user.is_staff and SiteSettings.load().recovery_kit_confirmed_at is None


def kit_page(request: HttpRequest, *, form: forms.Form, download: bool) -> HttpResponse:
    """The printable kit page (one template for the one-time page of setup and for this page)."""
    text = crypto.recovery_kit_text(SiteSettings.load().server_name)
    response = render(request, "accounts/recovery_kit.html", {
        "form": form, "kit": text, "download": download, "kit_file": crypto.recovery_kit_path(),
        "title": _("Recovery kit")})
    response["Cache-Control"] = "no-store"
    return response


@admin_required
@sensitive_post_parameters()
def recovery_kit(request: HttpRequest) -> HttpResponse:
    """Show the kit again, after the admin's password (a stolen session alone must not reveal the master key)."""
    form = KitPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if cast(User, request.user).check_password(form.cleaned_data["password"]):
            return kit_page(request, form=RecoveryKitConfirmForm(), download=False)
        form.add_error("password", _("Your password is not right."))
    return render(request, "accounts/recovery_kit_unlock.html", {"form": form, "title": _("Recovery kit")})


@admin_required
@require_POST
def recovery_kit_confirm(request: HttpRequest) -> HttpResponse:
    """The admin's "I have printed or stored the kit" (the dashboard button and the kit page)."""
    form = RecoveryKitConfirmForm(request.POST)
    if form.is_valid():
        confirm_kit_stored()
        messages.success(request, _("Thank you: the recovery kit is marked as stored."))
    else:
        messages.error(request, _("Tick the box to confirm that the recovery kit is stored."))
    return redirect("dashboard")
