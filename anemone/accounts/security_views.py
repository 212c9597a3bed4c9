"""A person's API tokens page, and the admin's "clear a lock-out" action of the Users page."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anemone.accounts import throttle, tokens
from anemone.accounts.models import ApiToken, User
from anemone.decorators import admin_required
from anemone.validators import safe_name_validator


class NewTokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name (the device or script)"), max_length=64,
                           validators=[safe_name_validator], initial="api")


class ClearLockoutForm(forms.Form):
    username = forms.CharField(max_length=255, required=False)
    ip_address = forms.GenericIPAddressField(required=False)


@login_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    """List, create (the token is shown on this one response, never stored) and revoke by name."""
    user = cast(User, request.user)
    form = NewTokenForm(request.POST if "create" in request.POST else None)
    context: dict[str, object] = {"form": form, "title": _("API tokens")}
    if "revoke" in request.POST:
        if tokens.revoke(user, request.POST["revoke"]):
            messages.success(request, _("Token revoked."))
        return redirect("account-tokens")
    if form.is_bound and form.is_valid() and _name_is_free(form, user):
        try:
            row, token = tokens.create_token(user, form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error)
        else:
            context.update(new_token=token, new_name=row.name)
    context["tokens"] = tokens.tokens_of(user)
    response = render(request, "accounts/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _name_is_free(form: NewTokenForm, user: User) -> bool:
    """On this page a name in use is refused rather than replaced (the API's and CLI's rule, for phones
    logging in again): a second device named alike, or the browser sending the form again on reload,
    would otherwise silently kill the token a script uses or the one just copied."""
    name = form.cleaned_data["name"].strip() or tokens.DEFAULT_NAME
    if not ApiToken.objects.filter(user=user, name=name).exists():
        return True
    form.add_error("name", _("You already have a token named “%(name)s”: revoke it first, or pick another name.")
                   % {"name": name})
    return False


@admin_required
@require_POST
def lockout_clear(request: HttpRequest) -> HttpResponse:
    form = ClearLockoutForm(request.POST)
    if form.is_valid():
        throttle.clear_lockout(form.cleaned_data["ip_address"] or None, form.cleaned_data["username"])
        messages.success(request, _("Lock cleared."))
    return redirect("users")
