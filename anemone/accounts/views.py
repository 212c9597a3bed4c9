"""Setup wizard, login, activation, backup key, password reset and the account page."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from anemone import crypto
from anemone.accounts import forms, services, throttle
from anemone.accounts.kit_views import confirm_kit_stored, kit_page
from anemone.accounts.models import AccountLink, User
from anemone.accounts.setup import SetupAlreadyDone, run_setup, setup_done
from anemone.models import SiteSettings

KEY_PENDING = "backup_key_pending"
KIT_PENDING = "recovery_kit_pending"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def text_download(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@sensitive_post_parameters()
def setup(request: HttpRequest) -> HttpResponse:
    """First run only: server name, language, first admin. Dead once an admin exists."""
    if setup_done():
        raise Http404
    # Before setup the Host the admin typed is the best guess of the portal address; they can correct it.
    form = forms.SetupForm(request.POST or None, initial={"portal_url": request.build_absolute_uri("/").rstrip("/")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            admin, key = run_setup(server_name=data["server_name"], language=data["language"],
                                   admin_username=data["username"], admin_password=data["password1"],
                                   portal_url=data["portal_url"])
        except SetupAlreadyDone as exc:
            raise Http404 from exc
        login(request, admin, backend=BACKEND)
        request.session[KIT_PENDING] = True
        request.session[KEY_PENDING] = key
        return redirect("setup-kit")
    return render(request, "accounts/setup.html", {"form": form, "title": _("Welcome to Anemone")})


@login_required
def setup_kit(request: HttpRequest) -> HttpResponse:
    """The recovery kit, shown once right after setup (download + confirmation)."""
    if not request.session.get(KIT_PENDING):
        raise Http404
    if request.GET.get("download"):
        return text_download(crypto.recovery_kit_text(SiteSettings.load().server_name), "anemone-recovery-kit.txt")
    form = forms.RecoveryKitConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        del request.session[KIT_PENDING]
        confirm_kit_stored()
        return redirect("backup-key")
    return kit_page(request, form=form, download=True)


@login_required
def backup_key(request: HttpRequest) -> HttpResponse:
    """The person's backup key, shown once after activation; never again afterwards."""
    key = request.session.get(KEY_PENDING)
    if not key:
        raise Http404
    if request.GET.get("download"):
        return text_download(key + "\n", f"anemone-backup-key-{request.user.username}.txt")
    form = forms.KeyConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        del request.session[KEY_PENDING]
        messages.success(request, _("Your account is ready."))
        return redirect("dashboard")
    return render(request, "accounts/backup_key.html", {"form": form, "key": key, "title": _("Your backup key")})


class LoginView(auth_views.LoginView):
    form_class = forms.LoginForm
    template_name = "accounts/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        """The password is right; with two-factor on, the person is logged in only after the code."""
        from anemone.accounts import two_factor
        from anemone.accounts.two_factor_views import begin_second_step

        user = form.get_user()
        if two_factor.enabled(user):
            return begin_second_step(self.request, user, self.get_success_url())
        return super().form_valid(form)


def _link_or_error(request: HttpRequest, token: str, purpose: str):
    # Guessed tokens count in the login throttle (accounts.throttle), per client address.
    if throttle.link_guessing_blocked(request, purpose):
        return throttle.lockout_response(request, credentials=throttle.link_credentials(purpose))
    try:
        link = services.check_link(token, purpose)
    except services.LinkInvalid as exc:
        throttle.record_link_failure(request, token, purpose)
        return render(request, "accounts/link_invalid.html", {"message": str(exc), "title": _("Link")}, status=410)
    return _refuse_other_session(request, link) or link


def _refuse_other_session(request: HttpRequest, link: AccountLink) -> HttpResponse | None:
    """A link opened in a browser where someone else is logged in is refused, saying why.

    Otherwise an admin testing a person's link in their own browser would activate that person and
    see their one-time backup key (and be logged in as them afterwards).
    """
    if not request.user.is_authenticated or request.user.pk == link.user_id:
        return None
    return render(request, "accounts/link_other_session.html", {
        "person": link.user, "title": _("Log out first"), "purpose": link.purpose}, status=409)


@sensitive_post_parameters()
def activate(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_or_error(request, token, AccountLink.ACTIVATE)
    if isinstance(link, HttpResponse):
        return link
    form = forms.ActivationForm(request.POST or None)
    form.user_for_validation = link.user
    if request.method == "POST" and form.is_valid():
        key = services.activate(link.user, form.cleaned_data["password1"], link)
        login(request, link.user, backend=BACKEND)
        request.session[KEY_PENDING] = key
        return redirect("backup-key")
    return render(request, "accounts/activate.html", {"form": form, "person": link.user, "title": _("Activate your account")})


@sensitive_post_parameters()
def reset(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_or_error(request, token, AccountLink.RESET)
    if isinstance(link, HttpResponse):
        return link
    form = forms.ActivationForm(request.POST or None)
    form.user_for_validation = link.user
    if request.method == "POST" and form.is_valid():
        services.set_password(link.user, form.cleaned_data["password1"], link=link)
        login(request, link.user, backend=BACKEND)
        messages.success(request, _("Your password is changed."))
        return redirect("dashboard")
    return render(request, "accounts/reset.html", {"form": form, "person": link.user, "title": _("New password")})


@login_required
@sensitive_post_parameters()
def account(request: HttpRequest) -> HttpResponse:
    """Change password (logs out every other session and API token) and language."""
    user = cast(User, request.user)  # login_required
    password_form = forms.ChangePasswordForm(request.POST if "change_password" in request.POST else None)
    password_form.user_for_validation = user
    language_form = forms.LanguageForm(request.POST if "change_language" in request.POST else None,
                                       initial={"language": user.language or "en"})
    if "change_password" in request.POST and password_form.is_valid():
        try:
            services.set_password(user, password_form.cleaned_data["password1"],
                                  keep_session_key=request.session.session_key)
        except ValidationError as error:
            password_form.add_error("password1", error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Password changed. Your other sessions and API tokens were revoked."))
            return redirect("account")
    if "change_language" in request.POST and language_form.is_valid():
        user.language = language_form.cleaned_data["language"]
        user.save(update_fields=["language"])
        response = redirect("account")
        response.set_cookie("django_language", user.language, samesite="Lax")
        return response
    from anemone.alerts.services import personal_preference
    from anemone.files.usage import usage_bars

    return render(request, "accounts/account.html", {
        "password_form": password_form, "language_form": language_form, "usage": usage_bars(user),
        "title": _("My account"), "token_count": user.auth_token_set.count(),
        "personal_alerts": personal_preference(user),
    })
