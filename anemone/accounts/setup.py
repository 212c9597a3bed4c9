"""First-run setup: server name, language, first admin, master key + recovery kit."""

from __future__ import annotations

from django.db import DatabaseError, transaction
from django.utils import timezone

from anemone import crypto
from anemone.accounts.models import User
from anemone.engines.files import write_private_file
from anemone.models import SiteSettings


def setup_done() -> bool:
    """Setup is done for good once it has completed: a stored fact, not "an admin exists".

    Deriving it from the admins let a server that lost its last admin (disabled through the API)
    reopen the wizard — and the USB import — to anyone on the network.
    """
    try:
        return SiteSettings.objects.filter(pk=1, setup_completed_at__isnull=False).exists()
    except DatabaseError:  # tables not created yet
        return False


def mark_setup_done() -> None:
    """Record that setup is done (setup itself; an installation imported from a USB backup)."""
    SiteSettings.load()
    SiteSettings.objects.filter(pk=1, setup_completed_at__isnull=True).update(setup_completed_at=timezone.now())


class SetupAlreadyDone(RuntimeError):
    pass


def run_setup(*, server_name: str, language: str, admin_username: str, admin_password: str,
              portal_url: str = "") -> tuple[User, str]:
    """Create the master key, the settings and the first admin; write the recovery kit to the data dir.

    Returns the admin and their backup key (to show once).
    """
    from anemone.accounts import services

    with transaction.atomic():
        site = SiteSettings.load()
        site = SiteSettings.objects.select_for_update().get(pk=site.pk)  # two wizards at once: one wins
        if site.setup_completed_at is not None:
            raise SetupAlreadyDone("Setup is already done.")
        site.server_name, site.language, site.setup_completed_at = server_name, language, timezone.now()
        site.portal_url = portal_url
        site.full_clean()
        crypto.create_master_key()
        site.save()
        admin = services.create_user(admin_username, is_admin=True, language=language)
        key = services.activate(admin, admin_password)
    write_private_file(crypto.recovery_kit_path(), crypto.recovery_kit_text(server_name))
    return admin, key
