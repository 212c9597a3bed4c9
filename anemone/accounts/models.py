"""People of the server: the custom user, one-time account links and named API tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from anemone.validators import safe_name_validator

# \A…\Z, not ^…$: `$` also matches before a trailing newline, so "eve\n" passed (a folder named with a newline).
USERNAME_PATTERN = r"\A[a-z][a-z0-9_-]{1,31}\Z"
username_validator = RegexValidator(
    USERNAME_PATTERN,
    _("2–32 characters: lowercase letters, digits, '-' or '_', starting with a letter."),
)


# django-stubs cannot resolve ApiToken.user's reverse manager: knox's swapped-out AuthToken declares the same one.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person with two areas (backup/ and data/), quotas, a language and a sealed backup key.

    The username doubles as a folder name (shares/<username>/) and a restic repository name, hence
    the strict pattern.
    """

    username = models.CharField(_("username"), max_length=32, unique=True, validators=[username_validator])
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    quota_total_bytes = models.BigIntegerField(
        _("total quota (bytes)"), default=settings.DEFAULT_QUOTA_TOTAL_BYTES, help_text=_("0 = unlimited"),
        validators=[MinValueValidator(0)],
    )
    quota_backup_bytes = models.BigIntegerField(
        _("backup quota (bytes)"), default=settings.DEFAULT_QUOTA_BACKUP_BYTES, help_text=_("0 = unlimited"),
        validators=[MinValueValidator(0)],
    )
    usage_backup_bytes = models.BigIntegerField(default=0, editable=False)
    usage_data_bytes = models.BigIntegerField(default=0, editable=False)
    usage_trash_bytes = models.BigIntegerField(default=0, editable=False)
    usage_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    backup_key_sealed = models.TextField(blank=True, default="", editable=False)
    activated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["username"]

    def clean(self) -> None:
        super().clean()
        if self.quota_total_bytes and self.quota_backup_bytes > self.quota_total_bytes:
            raise ValidationError({"quota_backup_bytes": _(
                "The backup quota cannot be larger than the total quota: the backup area is part of the total.")})

    def save(self, *args, **kwargs) -> None:
        """Backstop of the last-admin rule for every path (forms and API check earlier, with a nicer error)."""
        from anemone.accounts import last_admin

        with transaction.atomic():
            last_admin.check_change(self, is_admin=self.is_staff, is_active=self.is_active)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from anemone.accounts import last_admin

        with transaction.atomic():
            last_admin.check_delete([self])
            return super().delete(*args, **kwargs)

    @property
    def is_activated(self) -> bool:
        return self.activated_at is not None

    @property
    def has_backup_key(self) -> bool:
        return bool(self.backup_key_sealed)

    @property
    def usage_total_bytes(self) -> int:
        return self.usage_backup_bytes + self.usage_data_bytes + self.usage_trash_bytes


class AccountLink(models.Model):
    """A one-time link (activation or password reset), valid 24 h. Only its SHA-256 is stored."""

    ACTIVATE = "activate"
    RESET = "reset"
    PURPOSES = [(ACTIVATE, _("activation")), (RESET, _("password reset"))]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=16, choices=PURPOSES)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def default_expiry() -> datetime:
        return timezone.now() + timedelta(hours=settings.ACCOUNT_LINK_HOURS)

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class ApiToken(AbstractAuthToken):
    """A person's named API token (django-rest-knox's token model, ``KNOX_TOKEN_MODEL``).

    Only a SHA-512 digest of the token is stored, plus knox's 15-character lookup prefix (60 of its 256
    bits), so the database never holds a usable token; the token itself is shown once, at creation.
    One name per person: creating a token under a name in use replaces that token.
    """

    name = models.CharField(_("name"), max_length=64, validators=[safe_name_validator])

    class Meta:
        ordering = ["user", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="accounts_apitoken_one_name_per_user")]

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"
