"""Pages of the two-factor login (``anemone.accounts.two_factor``): the login's second step, a person's own
page to turn it on or off, and an admin's reset from the user's page."""

from __future__ import annotations

import time

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from anemone.accounts import throttle, two_factor
from anemone.accounts.models import User
from anemone.decorators import admin_required

PENDING = "two_factor_pending"  # {"user": pk, "backend": path, "next": url, "at": epoch}: password right, code due
PENDING_SECONDS = 300


class CodeForm(forms.Form):
    code = forms.CharField(label=_lazy("Code from your authenticator app, or a recovery code"), max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text",
                                                         "autofocus": True}))


def begin_second_step(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """The password was right and the person has two-factor on: remember who, ask for the code."""
    request.session[PENDING] = {"user": user.pk, "backend": getattr(user, "backend", ""), "next": next_url,
                                "at": time.time()}
    return redirect("login-verify")


def login_verify(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        messages.info(request, _("Log in again: the second step waited too long."))
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return redirect("login")
    credentials = {"username": user.username}
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from axes.handlers.proxy import AxesProxyHandler

        if not AxesProxyHandler.is_allowed(request, credentials):
            return throttle.lockout_response(request, credentials=credentials)
        device = two_factor.verify(user, form.cleaned_data["code"])
        if device is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            form.add_error("code", _("That code is not right (or was already used). Try the next one."))
        else:
            del request.session[PENDING]
            login(request, user, backend=pending.get("backend") or None)
            otp_login(request, device)
            if device.name == two_factor.RECOVERY:
                messages.warning(request, _("You used a recovery code: %(left)s left. Make new ones on your "
                                            "two-factor page if you are running out.")
                                 % {"left": two_factor.recovery_codes_left(user)})
            target = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
                target = "/"
            return redirect(target)
    return render(request, "accounts/login_verify.html", {"form": form, "title": _("Two-factor login")})


@login_required
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """Turn two-factor on (start, scan, confirm), make new recovery codes, or turn it off."""
    user: User = request.user  # type: ignore[assignment]
    form = CodeForm(request.POST or None)
    context: dict[str, object] = {"title": _("Two-factor login"), "form": form}
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "start":
        two_factor.start_enrolment(user)
        return redirect("two-factor")
    if request.method == "POST" and action in ("confirm", "new-codes", "disable") and form.is_valid():
        code = form.cleaned_data["code"]
        if action == "confirm":
            codes = two_factor.confirm_enrolment(user, code)
            if codes is not None:
                device = two_factor.TOTPDevice.objects.get(user=user, confirmed=True)
                otp_login(request, device)  # this session is the one that proved it
                messages.success(request, _("Two-factor login is on."))
                context["recovery_codes"] = codes
                return render(request, "accounts/two_factor.html", {**context, **_state(user), "form": CodeForm()})
        elif two_factor.verify(user, code) is not None:
            if action == "new-codes":
                context["recovery_codes"] = two_factor.new_recovery_codes(user)
                return render(request, "accounts/two_factor.html", {**context, **_state(user), "form": CodeForm()})
            if user.is_staff:
                messages.error(request, _("An admin keeps two-factor login on. Another admin can reset it."))
            else:
                two_factor.disable(user)
                messages.success(request, _("Two-factor login is off."))
            return redirect("two-factor")
        form.add_error("code", _("That code is not right (or was already used). Try the next one."))
    return render(request, "accounts/two_factor.html", {**context, **_state(user)})


def _state(user: User) -> dict[str, object]:
    pending = None if two_factor.enabled(user) else two_factor.pending_device(user)
    return {"enabled": two_factor.enabled(user), "pending": pending,
            "qr": two_factor.qr_svg(pending) if pending else "", "secret": two_factor.secret_text(pending) if pending else "",
            "codes_left": two_factor.recovery_codes_left(user)}


@admin_required
@require_POST
def reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    two_factor.reset_by_admin(person)
    messages.success(request, _("Two-factor login of %(name)s reset: they log in with their password alone until "
                                "they turn it on again.") % {"name": person.username})
    return redirect("user-detail", pk=pk)
