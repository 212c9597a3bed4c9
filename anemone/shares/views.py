"""My account → Device passwords (create by name, shown once with a QR code, list, revoke), and the admin's
per-person "network shares allowed" switch on the user page."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anemone.accounts.models import User
from anemone.decorators import admin_required
from anemone.shares import services
from anemone.shares.forms import ShareSettingsForm
from anemone.validators import safe_name_validator


class NewDevicePasswordForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name (the device)"), max_length=64,
                           validators=[safe_name_validator])


@login_required
def device_passwords_page(request: HttpRequest) -> HttpResponse:
    """The new password is on this one response only (no-store): a reload does not show it again."""
    user = cast(User, request.user)
    if "revoke" in request.POST:
        if services.revoke(user, request.POST["revoke"]):
            messages.success(request, _("Device password revoked."))
        return redirect("account-device-passwords")
    form = NewDevicePasswordForm(request.POST if "create" in request.POST else None)
    context: dict[str, object] = {"form": form, "title": _("Device passwords"),
                                  "allowed": services.shares_allowed(user), "protocols": services.share_settings(),
                                  "addresses": services.connection_addresses(user)}
    if form.is_bound and form.is_valid():
        try:
            row, password = services.create(user, form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error)
        else:
            context.update(new_password=password, new_name=row.name, new_row=row, qr=services.qr_svg(password))
    context["passwords"] = services.passwords_of(user)
    response = render(request, "shares/device_passwords.html", context)
    response["Cache-Control"] = "no-store"
    return response


@admin_required
@require_POST
def share_access(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    enabled = request.POST.get("enabled") == "1"
    services.set_shares_allowed(person, enabled)
    messages.success(request, _("Network shares allowed for %(name)s.") % {"name": person.username} if enabled
                     else _("Network shares turned off for %(name)s.") % {"name": person.username})
    return redirect("user-detail", pk=pk)


@admin_required
@require_POST
def share_settings(request: HttpRequest) -> HttpResponse:
    """The Settings page's "Network shares" form; errors are shown on the Settings page itself."""
    form = ShareSettingsForm(request.POST, instance=services.share_settings())
    if form.is_valid():
        form.save()
        messages.success(request, _("Network share settings saved."))
    else:
        for errors in form.errors.get_json_data(escape_html=False).values():
            for error in errors:
                messages.error(request, error["message"])
    return redirect(f"{reverse('site-settings')}#network-shares")
