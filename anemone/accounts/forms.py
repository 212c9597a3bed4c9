"""Forms of setup, login, activation, password and user management (validation at the edge)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from anemone.accounts.models import User, username_validator
from anemone.validators import http_url_validator, server_name_validator

LANGUAGE_CHOICES = settings.LANGUAGES
GB = 10**9
LOGIN_REFUSED = _("Invalid username or password.")


class PasswordPairMixin(forms.Form):
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    user_for_validation: User | None = None

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first, self.user_for_validation)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SetupForm(PasswordPairMixin):
    server_name = forms.CharField(label=_("Server name"), max_length=64, initial="anemone",
                                  validators=[server_name_validator])
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    portal_url = forms.CharField(
        label=_("Portal address"), max_length=255, validators=[http_url_validator],
        help_text=_("The address people type to reach this page; activation links are built on it."))
    username = forms.CharField(label=_("Admin username"), max_length=32, validators=[username_validator])
    field_order = ["server_name", "language", "portal_url", "username", "password1", "password2"]


class LoginForm(AuthenticationForm):
    """Django's login form with one answer for every refusal. The throttle (django-axes, see
    ``accounts.throttle``) sits in ``authenticate()``, so this form, the Django admin's and the API
    token endpoint share it; a locked-out attempt gets the lock-out page instead of this form."""

    error_messages = {"invalid_login": LOGIN_REFUSED, "inactive": LOGIN_REFUSED}


class ActivationForm(PasswordPairMixin):
    pass


class KeyConfirmForm(forms.Form):
    stored = forms.BooleanField(label=_("I have stored my backup key somewhere safe (password manager, printed)."))
    understood = forms.BooleanField(label=_("I understand that nobody, not even the admin, can recover it for me."))


class RecoveryKitConfirmForm(forms.Form):
    saved = forms.BooleanField(label=_("I have saved the recovery kit somewhere safe and offline."))


class QuotaFieldsMixin(forms.Form):
    quota_total_gb = forms.IntegerField(label=_("Total quota (GB, 0 = unlimited)"), min_value=0, initial=100)
    quota_backup_gb = forms.IntegerField(label=_("Backup quota (GB, 0 = unlimited)"), min_value=0, initial=50)

    def clean(self) -> dict:
        data = super().clean() or {}
        total, backup = data.get("quota_total_gb"), data.get("quota_backup_gb")
        if total and backup and backup > total:
            self.add_error("quota_backup_gb", _("The backup quota cannot be larger than the total quota: the "
                                                "backup area is part of the total."))
        return data


class AddUserForm(QuotaFieldsMixin):
    username = forms.CharField(label=_("Username"), max_length=32, validators=[username_validator])
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_admin = forms.BooleanField(label=_("Administrator"), required=False)
    field_order = ["username", "email", "is_admin", "quota_total_gb", "quota_backup_gb"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class EditUserForm(QuotaFieldsMixin):
    language = forms.ChoiceField(label=_("Language"), choices=[("", "—"), *LANGUAGE_CHOICES], required=False)
    is_admin = forms.BooleanField(label=_("Administrator"), required=False)
    is_active = forms.BooleanField(label=_("Enabled"), required=False)


class ChangePasswordForm(PasswordPairMixin):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    field_order = ["old_password", "password1", "password2"]

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if self.user_for_validation is None or not self.user_for_validation.check_password(value):
            raise forms.ValidationError(_("Your current password is not right."))
        return value


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
