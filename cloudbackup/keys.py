"""Anemone's SSH key for SFTP destinations (seed step 1): DATA_DIR/certs/rclone_key (+ .pub)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from anemone.engines import ssh
from anemone.models import SiteSettings

KEY_RELATIVE = "certs/rclone_key"


def key_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_RELATIVE


def public_key() -> str | None:
    return ssh.read_public_key(key_path()) if key_path().with_name("rclone_key.pub").exists() else None


class KeyExists(RuntimeError):
    """Anemone already has a key: replacing it is an explicit, confirmed step."""


def previous_key_path() -> Path:
    return key_path().with_name("rclone_key.previous")


def destinations_using_key() -> list[str]:
    """Names of the SFTP destinations that log in with Anemone's key (they stop working when it is replaced)."""
    from cloudbackup.models import Destination, Kind

    return [d.name for d in Destination.objects.filter(kind=Kind.SFTP, password_sealed="")]


def generate(*, replace: bool = False) -> str:
    """Create the key pair (or, with replace=True, a new one); returns the public key line.

    Replacing keeps the old pair as rclone_key.previous(.pub): a server that still trusts only the old key can be
    reached again by moving it back, instead of being lost with it.
    """
    path = key_path()
    if path.exists():
        if not replace:
            raise KeyExists("Anemone already has an SSH key; replacing it breaks every SFTP destination that trusts it.")
        path.replace(previous_key_path())
        public = path.with_name("rclone_key.pub")
        if public.exists():
            public.replace(previous_key_path().with_name("rclone_key.previous.pub"))
    return ssh.generate_ed25519(path, f"anemone@{SiteSettings.load().server_name}")


def authorized_keys_line(public: str) -> str:
    """The line to paste into the remote user's ~/.ssh/authorized_keys: no shell, no forwarding."""
    return f"restrict {public}"
