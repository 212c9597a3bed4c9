"""Samba's passdb follows the database at once: a device password made, revoked, a person switched off
or deactivated takes effect at the next SMB login, without waiting for ``serve_smb``'s next pass (which
also disconnects clients already logged in with it)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from anemone.shares.models import DevicePassword, ShareAccess, ShareSettings


def _refresh(**_kwargs: object) -> None:
    from anemone.shares.samba import refresh_accounts_if_served

    transaction.on_commit(refresh_accounts_if_served)


for model in (DevicePassword, ShareAccess, ShareSettings, settings.AUTH_USER_MODEL):
    receiver(post_save, sender=model, dispatch_uid=f"shares-smb-save-{model}")(_refresh)
    receiver(post_delete, sender=model, dispatch_uid=f"shares-smb-delete-{model}")(_refresh)
