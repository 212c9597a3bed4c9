"""One guard for every door: the last active admin cannot be disabled, demoted or deleted.

A server with no active admin cannot be managed from the web any more, and before this guard it
reopened the setup wizard to anyone on the network. The portal, the API, the Django admin and the
commands all call these functions; ``User.save``/``User.delete`` call them too, as the backstop for
any path written later. Recovery of a lost admin is ``manage.py recover_admin`` on the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from anemone.accounts.models import User

LAST_ADMIN_MESSAGE = _("This is the last active admin: make another person an admin first. "
                       "The server must always keep one active admin.")


class LastAdminError(ValidationError):
    """Raised when a change would leave the server without an active admin."""

    def __init__(self) -> None:
        super().__init__(LAST_ADMIN_MESSAGE, code="last_admin")


def _active_admins():
    from anemone.accounts.models import User

    # Locks the admin rows (PostgreSQL) so two admins demoting each other at once cannot both succeed.
    # An admin who never activated their account cannot log in yet, so does not count.
    return User.objects.select_for_update().filter(is_staff=True, is_active=True, activated_at__isnull=False)


def check_change(user: User, *, is_admin: bool, is_active: bool) -> None:
    """Refuse saving ``user`` with these flags when it is the only active admin today."""
    if user.pk is None or (is_admin and is_active):
        return
    with transaction.atomic():
        admins = list(_active_admins().values_list("pk", flat=True))
    if admins == [user.pk]:
        raise LastAdminError()


def check_delete(users: Iterable[User]) -> None:
    """Refuse deleting these people when no active admin would remain among the others."""
    doomed = {user.pk for user in users}
    with transaction.atomic():
        admins = set(_active_admins().values_list("pk", flat=True))
    if admins and admins <= doomed:
        raise LastAdminError()
