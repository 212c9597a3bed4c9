"""Account logic used by the web pages, the API and the commands alike."""

from __future__ import annotations

import secrets

from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from anemone import crypto
from anemone.accounts.models import AccountLink, ApiToken, User
from anemone.files import areas


class LinkInvalid(ValueError):
    """The link is unknown, already used or expired."""


def create_user(username: str, *, email: str = "", is_admin: bool = False, language: str = "",
                quotas: dict[str, int] | None = None) -> User:
    """A new, not yet activated person; the model's validators (name, quotas) apply to every caller."""
    user = User(username=username, email=email, is_staff=is_admin, is_superuser=is_admin, language=language,
                **(quotas or {}))
    user.full_clean(exclude=["password"])
    user.set_unusable_password()
    user.save()
    return user


def update_user(user: User, **changes: object) -> User:
    """Change a person's role, state, quotas or language (portal, CLI): validated, last admin kept.

    A disabled person is logged out everywhere at once.
    """
    from anemone.accounts import last_admin

    last_admin.check_change(user, is_admin=bool(changes.get("is_staff", user.is_staff)),
                            is_active=bool(changes.get("is_active", user.is_active)))
    for field, value in changes.items():
        setattr(user, field, value)
    user.is_superuser = user.is_staff
    user.full_clean(exclude=["password"])
    user.save()
    if not user.is_active:
        revoke_sessions_and_tokens(user)
    return user


def make_link(user: User, purpose: str) -> str:
    """A fresh one-time token (older unused links of the same purpose stop working)."""
    AccountLink.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=timezone.now())
    token = secrets.token_urlsafe(32)
    AccountLink.objects.create(
        user=user, purpose=purpose, token_hash=AccountLink.hash_token(token), expires_at=AccountLink.default_expiry()
    )
    return token


def check_link(token: str, purpose: str) -> AccountLink:
    link = AccountLink.objects.select_related("user").filter(
        token_hash=AccountLink.hash_token(token), purpose=purpose
    ).first()
    if link is None or not link.is_usable:
        raise LinkInvalid(gettext("This link is invalid or has expired. Ask your admin for a new one."))
    return link


@transaction.atomic
def activate(user: User, password: str, link: AccountLink | None = None) -> str:
    """Set the password, create the areas and the backup key. Returns the key (shown once)."""
    password_validation.validate_password(password, user)
    user.set_password(password)
    key = crypto.new_backup_key()
    user.backup_key_sealed = crypto.seal(key)
    user.activated_at = timezone.now()
    user.is_active = True
    user.save()
    areas.create_areas(user)
    if link is not None:
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    return key


def backup_key(user: User) -> str:
    """The user's backup key in clear (restic password of their repositories)."""
    if not user.backup_key_sealed:
        raise LookupError(f"{user.username} has no backup key yet (account not activated).")
    return crypto.unseal(user.backup_key_sealed)


def revoke_sessions_and_tokens(user: User, keep_session_key: str | None = None) -> None:
    """Log the user out everywhere else: other sessions and every API token."""
    ApiToken.objects.filter(user=user).delete()
    for session in Session.objects.filter(expire_date__gt=timezone.now()):
        if session.session_key == keep_session_key:
            continue
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()


@transaction.atomic
def set_password(user: User, password: str, *, keep_session_key: str | None = None,
                 link: AccountLink | None = None) -> None:
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    if link is not None:
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    revoke_sessions_and_tokens(user, keep_session_key)
