"""Named API tokens (stored hashed by django-rest-knox), used by the API, the account page and the CLI."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from anemone.accounts.models import ApiToken, User

DEFAULT_NAME = "api"
MAX_TOKENS_PER_PERSON = 50


@transaction.atomic
def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user`` under ``name`` (default ``api``). Returns the row and the token, which
    exists nowhere else: show it once. A token already under that name is replaced, so a phone logging
    in again does not pile up tokens."""
    name = name.strip() or DEFAULT_NAME
    ApiToken(user=user, name=name).full_clean(exclude=["digest", "token_key", "user"], validate_constraints=False)
    ApiToken.objects.filter(user=user, name=name).delete()
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_PERSON:
        raise ValidationError(_("You already have %(count)d API tokens: revoke some on your account page first."),
                              code="too_many", params={"count": MAX_TOKENS_PER_PERSON})
    return ApiToken.objects.create(user=user, name=name, expiry=None)


def tokens_of(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("name"))


def revoke(user: User, name: str) -> bool:
    """Revoke the person's token of that name; False when there is none."""
    count, _details = ApiToken.objects.filter(user=user, name=name).delete()
    return count > 0


def revoke_all(user: User) -> int:
    count, _details = ApiToken.objects.filter(user=user).delete()
    return count
