"""Saving and deleting backup targets (runs.models.BackupTarget), for every kind, through every door.

The portal, the API, the Django admin (TargetAdminMixin) and the commands save a target here, so its
django-q2 schedule always follows what was saved (a schedule that outlives a disabled or removed target
fires for nothing), and "who is carried" is checked the same way everywhere.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from anemone.runs import registry, schedules
from anemone.runs.models import BackupTarget

NOBODY_CARRIED = _("Tick \"carry everyone\" or choose at least one person (nobody would be backed up).")


def kind_of(target: BackupTarget) -> registry.RunKind:
    """The scheduled run kind whose target this is."""
    for kind in registry.scheduled_kinds():
        if kind.target_model is not None and isinstance(target, kind.target_model):
            return kind
    raise LookupError(f"no run kind has {type(target).__name__} as its target")


def check_carried(target: BackupTarget, users: Any = None) -> None:
    """Nobody carried is never a silent "everyone": it is refused (``users`` None: the saved ones)."""
    if not target.needs_people() or target.carry_everyone:
        return
    chosen = list(users) if users is not None else (list(target.users.all()) if target.pk else [])
    if not chosen:
        raise ValidationError({"users": [NOBODY_CARRIED]})


def choose_carried(target: BackupTarget, *, carry_everyone: bool | None, users: Any) -> None:
    """Apply what a form or an API call sent: ticking people without saying "everyone" means exactly them
    (an API PATCH of ``users`` alone); ``carry_everyone`` None and no people: unchanged."""
    if carry_everyone is None and users:
        carry_everyone = False
    if carry_everyone is not None:
        target.carry_everyone = carry_everyone


def carried_error(carry_everyone: bool, users: Any) -> Any:
    """For a form's clean(): the message when nobody would be carried, else None."""
    return None if carry_everyone or list(users or []) else NOBODY_CARRIED


def sync_schedule(target: BackupTarget) -> None:
    """Make the target's django-q2 Schedule match it (or remove it: disabled, not schedulable, manual only)."""
    kind = kind_of(target)
    schedules.sync_schedule(kind.name, target.pk, target if kind.is_schedulable(target) else None)


def remove_schedule(model: type[models.Model], target_id: int) -> None:
    """Before a target's row goes (also when its parent row cascades it away)."""
    for kind in registry.scheduled_kinds():
        if kind.target_model is model:
            schedules.sync_schedule(kind.name, target_id, None)


@transaction.atomic
def save_target(target: BackupTarget, *, users: Any = None, carry_everyone: bool | None = None) -> BackupTarget:
    """Validate, save, set who is carried and mirror the schedule. ``users`` None: unchanged; people given
    without ``carry_everyone``: exactly them (choose_carried)."""
    choose_carried(target, carry_everyone=carry_everyone, users=users)
    target.full_clean()
    check_carried(target, users)
    target.save()
    if users is not None:
        target.users.set(users)
    sync_schedule(target)
    return target


@transaction.atomic
def delete_target(target: BackupTarget) -> None:
    remove_schedule(type(target), target.pk)
    target.delete()
