"""The admin's Users page: list, add (activation link), edit quotas/role, links, enable/disable."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anemone.accounts import services
from anemone.accounts.forms import GB, AddUserForm, EditUserForm
from anemone.accounts.links import issue_link
from anemone.accounts.models import AccountLink, User
from anemone.files.usage import usage_bars


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@staff_member_required
def users(request: HttpRequest) -> HttpResponse:
    form = AddUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = services.create_user(data["username"], email=data["email"], is_admin=data["is_admin"])
        person.quota_total_bytes = data["quota_total_gb"] * GB
        person.quota_backup_bytes = data["quota_backup_gb"] * GB
        person.save(update_fields=["quota_total_bytes", "quota_backup_bytes"])
        url = issue_link(person, AccountLink.ACTIVATE, base_url(request))
        return render(request, "accounts/link_created.html", {"person": person, "url": url, "title": _("Activation link")})
    people = [(p, usage_bars(p)) for p in User.objects.all()]
    return render(request, "accounts/users.html", {"form": form, "people": people, "title": _("Users")})


@staff_member_required
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
        person.quota_total_bytes = data["quota_total_gb"] * GB
        person.quota_backup_bytes = data["quota_backup_gb"] * GB
        person.language, person.is_staff, person.is_superuser = data["language"], data["is_admin"], data["is_admin"]
        person.is_active = data["is_active"] if person.is_activated else person.is_active
        person.save()
        if not person.is_active:
            services.revoke_sessions_and_tokens(person)
        messages.success(request, _("Saved."))
        return redirect("users")
    return render(request, "accounts/user_detail.html", {"person": person, "form": form, "title": person.username})


@staff_member_required
@require_POST
def user_link(request: HttpRequest, pk: int, purpose: str) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    if purpose not in (AccountLink.ACTIVATE, AccountLink.RESET):
        return redirect("users")
    if purpose == AccountLink.ACTIVATE and person.is_activated:
        messages.error(request, _("This account is already activated: send a password-reset link instead."))
        return redirect("user-detail", pk=pk)
    url = issue_link(person, purpose, base_url(request))
    title = _("Activation link") if purpose == AccountLink.ACTIVATE else _("Password-reset link")
    return render(request, "accounts/link_created.html", {"person": person, "url": url, "title": title})
