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


def generate() -> str:
    """Create (or replace) the key pair; returns the public key line."""
    return ssh.generate_ed25519(key_path(), f"anemone@{SiteSettings.load().server_name}")


def authorized_keys_line(public: str) -> str:
    """The line to paste into the remote user's ~/.ssh/authorized_keys: no shell, no forwarding."""
    return f"restrict {public}"
