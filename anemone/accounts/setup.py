"""First-run setup: server name, language, first admin, master key + recovery kit."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from anemone import crypto
from anemone.accounts.models import User
from anemone.models import SiteSettings


def setup_done() -> bool:
    try:
        return User.objects.filter(is_staff=True, is_active=True).exists()
    except Exception:  # tables not created yet
        return False


class SetupAlreadyDone(RuntimeError):
    pass


def run_setup(*, server_name: str, language: str, admin_username: str, admin_password: str) -> tuple[User, str]:
    """Create the master key, the settings and the first admin; write the recovery kit to the data dir.

    Returns the admin and their backup key (to show once).
    """
    from anemone.accounts import services

    with transaction.atomic():
        if setup_done():
            raise SetupAlreadyDone("Setup is already done: an admin exists.")
        crypto.create_master_key()
        site = SiteSettings.load()
        site.server_name, site.language, site.setup_completed_at = server_name, language, timezone.now()
        site.save()
        admin = services.create_user(admin_username, is_admin=True, language=language)
        key = services.activate(admin, admin_password)
    crypto.write_private_file(crypto.recovery_kit_path(), crypto.recovery_kit_text(server_name))
    return admin, key
