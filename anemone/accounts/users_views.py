"""The admin's Users page: list, add (activation link), edit quotas/role, links, enable/disable."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anemone.accounts import last_admin, services, throttle
from anemone.accounts.forms import GB, AddUserForm, EditUserForm
from anemone.accounts.links import issue_link
from anemone.accounts.models import AccountLink, User
from anemone.decorators import admin_required
from anemone.files.usage import usage_bars


@admin_required
def users(request: HttpRequest) -> HttpResponse:
    form = AddUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = services.create_user(data["username"], email=data["email"], is_admin=data["is_admin"], quotas={
            "quota_total_bytes": data["quota_total_gb"] * GB, "quota_backup_bytes": data["quota_backup_gb"] * GB})
        url = issue_link(person, AccountLink.ACTIVATE)
        return render(request, "accounts/link_created.html", {"person": person, "url": url, "title": _("Activation link")})
    people = [(p, usage_bars(p)) for p in User.objects.all()]
    return render(request, "accounts/users.html", {"form": form, "people": people, "title": _("Users"),
                                                   "lockouts": throttle.lockouts()})


@admin_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    initial = {"quota_total_gb": person.quota_total_bytes // GB, "quota_backup_gb": person.quota_backup_bytes // GB,
               "language": person.language, "is_admin": person.is_staff, "is_active": person.is_active}
    form = EditUserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if person == request.user and (not data["is_admin"] or not data["is_active"]):
            messages.error(request, _("You cannot remove your own admin rights or disable yourself."))
            return redirect("user-detail", pk=pk)
        try:
            last_admin.check_change(person, is_admin=data["is_admin"], is_active=data["is_active"])
        except last_admin.LastAdminError as error:  # before saving anything (update_user checks again)
            messages.error(request, error.messages[0])
            return redirect("user-detail", pk=pk)
        services.update_user(person, quota_total_bytes=data["quota_total_gb"] * GB,
                             quota_backup_bytes=data["quota_backup_gb"] * GB, language=data["language"],
                             is_staff=data["is_admin"],
                             is_active=data["is_active"] if person.is_activated else person.is_active)
        messages.success(request, _("Saved."))
        return redirect("users")
    from anemone.accounts import two_factor

    return render(request, "accounts/user_detail.html", {"person": person, "form": form, "title": person.username,
                                                         "two_factor_on": two_factor.enabled(person)})


@admin_required
@require_POST
def user_link(request: HttpRequest, pk: int, purpose: str) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    if purpose not in (AccountLink.ACTIVATE, AccountLink.RESET):
        return redirect("users")
    if purpose == AccountLink.ACTIVATE and person.is_activated:
        messages.error(request, _("This account is already activated: send a password-reset link instead."))
        return redirect("user-detail", pk=pk)
    url = issue_link(person, purpose)
    title = _("Activation link") if purpose == AccountLink.ACTIVATE else _("Password-reset link")
    return render(request, "accounts/link_created.html", {"person": person, "url": url, "title": title})
