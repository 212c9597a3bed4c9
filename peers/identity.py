"""Create and read this server's P2P identity (lazily, on first use after setup)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from anemone import crypto
from anemone.engines import ssh, wireguard
from anemone.models import SiteSettings
from peers.models import ServerIdentity


def p2p_key_path() -> Path:
    return Path(settings.DATA_DIR) / "certs" / "p2p_key"


@transaction.atomic
def get_identity() -> ServerIdentity:
    identity = ServerIdentity.objects.select_for_update().first()
    if identity is not None:
        return identity
    private, public = wireguard.generate_keypair()
    ssh_public = ssh.generate_ed25519(p2p_key_path(), f"anemone-p2p@{SiteSettings.load().server_name}")
    return ServerIdentity.objects.create(wg_private_sealed=crypto.seal(private), wg_public_key=public,
                                         ssh_public_key=ssh_public)


def server_name() -> str:
    return SiteSettings.load().server_name
