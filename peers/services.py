"""Adding, changing and removing peers; the endpoint's index is rewritten on every change."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction

from anemone import crypto
from anemone.engines import ssh
from peers import codes
from peers.identity import get_identity, server_name
from peers.models import Peer

log = logging.getLogger(__name__)


def incoming_root() -> Path:
    return Path(settings.DATA_DIR) / "incoming"


def index_path() -> Path:
    return Path(settings.DATA_DIR) / "sftp" / "peers.json"


def my_invitation() -> codes.Invitation:
    identity = get_identity()
    return codes.Invitation(name=server_name(), endpoint=identity.endpoint, wg_public_key=identity.wg_public_key,
                            ssh_public_key=identity.ssh_public_key, vpn_address=identity.vpn_address,
                            sftp_port=identity.sftp_port)


def peer_from_invitation(invitation: codes.Invitation, *, name: str | None = None) -> Peer:
    ip = ipaddress.ip_interface(invitation.vpn_address).ip
    return Peer(name=(name or invitation.name).lower()[:32], endpoint=invitation.endpoint,
                wg_public_key=invitation.wg_public_key, allowed_ips=f"{ip}/{ip.max_prefixlen}",
                ssh_public_key=invitation.ssh_public_key, sftp_port=invitation.sftp_port,
                description=f"{invitation.name} (invitation code)")


def restart_marker() -> Path:
    return Path(settings.DATA_DIR) / "sftp" / "restart-requested"


def revoke_logins() -> None:
    """Ask the running endpoint to restart, so that rclone forgets the logins it cached."""
    restart_marker().parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    restart_marker().touch()


@transaction.atomic
def save_peer(peer: Peer) -> Peer:
    peer.full_clean()
    if peer.pk:
        before = Peer.objects.filter(pk=peer.pk).values("enabled", "ssh_public_key", "allowed_ips").first()
        if before and (before["enabled"] and not peer.enabled or before["ssh_public_key"] != peer.ssh_public_key
                       or before["allowed_ips"] != peer.allowed_ips):
            transaction.on_commit(revoke_logins)
    peer.save()
    (incoming_root() / peer.name).mkdir(parents=True, exist_ok=True, mode=0o700)
    transaction.on_commit(write_index)
    transaction.on_commit(apply_tunnel)
    return peer


def apply_tunnel() -> None:
    """Push peer changes into a running tunnel (wg syncconf); a tunnel that is down just gets its config file."""
    from anemone.engines.wireguard import WireGuardError
    from peers import tunnel

    try:
        tunnel.apply_if_up()
    except WireGuardError as exc:
        log.warning("peer saved, but the tunnel could not be updated: %s", exc)


def remove_peer(peer: Peer, *, delete_data: bool = False) -> None:
    """Access is revoked at once (the index is rewritten); stored data stays unless asked."""
    name = peer.name
    peer.delete()
    write_index()
    revoke_logins()
    apply_tunnel()
    if delete_data:
        delete_stored_data(name)


def delete_stored_data(name: str) -> None:
    """Delete what a peer stored here, then restart the endpoint: rclone caches directory listings for
    minutes, and a peer would otherwise still "see" its deleted repository (measured: restic init then
    answers "config file already exists")."""
    import shutil

    folder = incoming_root() / name
    if folder.is_dir() and folder.parent == incoming_root():
        shutil.rmtree(folder)
        revoke_logins()


def write_index() -> list[dict]:  # type: ignore[type-arg]
    """What the auth proxy reads on each login: key → peer folder, tunnel address, cap. 0600, atomic.
    Returns the entries written."""
    entries = []
    for peer in Peer.objects.filter(enabled=True):
        try:
            blob = ssh.parse_public_key(peer.ssh_public_key)[1]
        except ssh.InvalidPublicKey:
            continue
        import base64

        entries.append({"name": peer.name, "key": base64.b64encode(blob).decode(), "vpn_ip": peer.vpn_ip,
                        "root": str(incoming_root() / peer.name), "cap": peer.storage_cap_bytes})
    path = index_path()
    crypto.write_private_file(path, json.dumps({"peers": entries}, indent=1))
    os.chmod(path.parent, 0o700)
    return entries


def folder_usage(name: str) -> tuple[int, int, float | None]:
    """(bytes, repositories, last write time) of what a peer stores with us."""
    root = incoming_root() / name
    total, latest = 0, None
    repos = 0
    if not root.is_dir():
        return 0, 0, None
    for dirpath, _dirs, files in os.walk(root):
        if "config" in files and Path(dirpath, "keys").is_dir():
            repos += 1
        for file in files:
            info = os.lstat(os.path.join(dirpath, file))
            total += info.st_size
            latest = max(latest or 0, info.st_mtime)
    return total, repos, latest
