"""The one way to add, change, disable and remove a peer — the portal, the API, the CLI and the Django
admin all call these functions. Each change rewrites the endpoint's index and the tunnel after commit,
and is announced with peers.signals (p2p creates or unschedules its target there)."""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from anemone.audit import services as audit
from anemone.engines import ssh
from anemone.engines.files import write_private_file
from peers import codes, pairing, signals
from peers.hosting import status_dir
from peers.identity import get_identity, server_name
from peers.models import IncomingFolder, Peer, ServerIdentity

log = logging.getLogger(__name__)


def refusal(exc: ValidationError) -> str:
    """A ValidationError as sentences (no field names: each message says what it is about)."""
    if hasattr(exc, "error_dict"):
        return " ".join(message for messages_ in exc.message_dict.values() for message in messages_)
    return " ".join(exc.messages)


def incoming_root() -> Path:
    return Path(settings.DATA_DIR) / "incoming"


def index_path() -> Path:
    return Path(settings.DATA_DIR) / "sftp" / "peers.json"


def peer_root(peer: Peer) -> Path:
    return incoming_root() / (peer.folder or peer.name)


def my_invitation() -> codes.Invitation:
    identity = get_identity()
    return codes.Invitation(name=server_name(), endpoint=identity.endpoint, wg_public_key=identity.wg_public_key,
                            ssh_public_key=identity.ssh_public_key, vpn_address=identity.vpn_address,
                            sftp_port=identity.sftp_port, settled=Peer.objects.exists(),
                            contact_email=identity.contact_email, contact_language=identity.contact_language)


def peer_from_invitation(invitation: codes.Invitation, *, name: str | None = None) -> Peer:
    """The peer a code describes (the existing one when we know its WireGuard key: pasting a fresh code
    updates it), with its tunnel address as pairing.plan decides. Not saved."""
    plan = pairing.plan(get_identity(), invitation)
    peer = Peer.objects.filter(wg_public_key=invitation.wg_public_key).first() or Peer()
    if not peer.pk or name:
        peer.name = (name or slugify(invitation.name).replace("_", "-") or "peer")[:32]
    peer.endpoint, peer.wg_public_key = invitation.endpoint, invitation.wg_public_key
    peer.allowed_ips, peer.ssh_public_key, peer.sftp_port = plan.allowed_ips, invitation.ssh_public_key, invitation.sftp_port
    peer.description = peer.description or f"{invitation.name} (invitation code)"[:200]
    if invitation.contact_email:  # a code without one keeps the address an admin typed
        peer.contact_email, peer.contact_language = invitation.contact_email, invitation.contact_language
    peer._our_new_address = plan.our_new_address  # type: ignore[attr-defined]
    return peer


@dataclass(frozen=True)
class Paired:
    peer: Peer
    our_old_address: str = ""
    our_new_address: str = ""


@transaction.atomic
def pair(invitation: codes.Invitation, *, name: str | None = None) -> Paired:
    """Add (or update) the peer of a code; when our tunnel address must move (pairing.plan), move it."""
    peer = peer_from_invitation(invitation, name=name)
    new_address = getattr(peer, "_our_new_address", "")
    old_address = get_identity().vpn_address
    if new_address:
        update_identity(vpn_address=new_address)
    save_peer(peer)
    return Paired(peer, old_address if new_address else "", new_address)


def pair_from_code(code: str, *, name: str | None = None) -> Paired:
    return pair(codes.decode(code), name=name)


@transaction.atomic
def update_identity(**changes: object) -> ServerIdentity:
    """Change our endpoint, VPN address, ports or interface (My server form, `manage.py identity`)."""
    identity = get_identity()
    for field, value in changes.items():
        if value is not None:
            setattr(identity, field, value)
    identity.full_clean()
    identity.save()
    transaction.on_commit(apply_tunnel)
    return identity


def restart_marker() -> Path:
    return Path(settings.DATA_DIR) / "sftp" / "restart-requested"


def revoke_logins() -> None:
    """Ask the running endpoint to drop live sessions and rclone's cached logins (it hands its listening
    socket to a fresh rclone: no refused connection in between)."""
    restart_marker().parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    restart_marker().touch()


def _key_blob(peer: Peer) -> str:
    return base64.b64encode(ssh.parse_public_key(peer.ssh_public_key)[1]).decode()


def _claim_folder(peer: Peer) -> str:
    """The folder of this identity: the one it had if these keys were paired before and the folder was
    kept, else a new one named after the peer that no other identity has ever had."""
    blob = _key_blob(peer)
    in_use = Peer.objects.exclude(pk=peer.pk).values("folder")
    mine = IncomingFolder.objects.filter(wg_public_key=peer.wg_public_key, ssh_key_blob=blob).exclude(name__in=in_use).first()
    if mine:
        return mine.name
    candidate, number = peer.name, 1
    while IncomingFolder.objects.filter(name=candidate).exists() or (incoming_root() / candidate).exists():
        number += 1
        candidate = f"{peer.name}-{number}"
    IncomingFolder.objects.create(name=candidate, wg_public_key=peer.wg_public_key, ssh_key_blob=blob)
    return candidate


@transaction.atomic
def save_peer(peer: Peer) -> Peer:
    peer.full_clean()
    before = Peer.objects.filter(pk=peer.pk).values("enabled", "ssh_public_key", "allowed_ips").first() if peer.pk else None
    if not peer.folder:
        peer.folder = _claim_folder(peer)
    else:  # the folder keeps following this peer when its friend re-keys
        IncomingFolder.objects.filter(name=peer.folder).update(wg_public_key=peer.wg_public_key, ssh_key_blob=_key_blob(peer))
    peer.save()
    peer_root(peer).mkdir(parents=True, exist_ok=True, mode=0o700)
    signals.peer_saved.send(sender=Peer, peer=peer, created=before is None)
    if before and before["enabled"] and not peer.enabled:
        signals.peer_disabled.send(sender=Peer, peer=peer)
    if before and (before["enabled"] and not peer.enabled or before["ssh_public_key"] != peer.ssh_public_key
                   or before["allowed_ips"] != peer.allowed_ips):
        transaction.on_commit(revoke_logins)
    transaction.on_commit(write_index)
    transaction.on_commit(apply_tunnel)
    return peer


def set_enabled(peer: Peer, enabled: bool) -> Peer:
    peer.enabled = enabled
    return save_peer(peer)


def apply_tunnel() -> None:
    """Push peer changes into a running tunnel (wg syncconf); a tunnel that is down just gets its config file."""
    from anemone.engines.wireguard import WireGuardError
    from peers import tunnel

    try:
        tunnel.apply_if_up()
    except WireGuardError as exc:
        log.warning("peer saved, but the tunnel could not be updated: %s", exc)


def remove_peer(peer: Peer, *, delete_data: bool = False) -> None:
    """Access is revoked at once (the index is rewritten, live sessions dropped); what the peer stored
    stays, still owned by its identity, unless asked."""
    folder = peer.folder or peer.name
    with transaction.atomic():
        signals.peer_removed.send(sender=Peer, peer=peer)
        peer.delete()
        if delete_data:
            IncomingFolder.objects.filter(name=folder).delete()
    write_index()
    revoke_logins()
    apply_tunnel()
    if delete_data:
        delete_stored_data(folder)


def delete_stored_data(folder: str) -> None:
    """Delete what a peer stored here (folder: Peer.folder), then restart the endpoint: rclone caches
    directory listings for minutes, and a peer would otherwise still "see" its deleted repository
    (measured: restic init then answers "config file already exists")."""
    path = incoming_root() / folder
    if path.is_dir() and path.parent == incoming_root():
        shutil.rmtree(path)
        audit.record("stored_data_deleted", IncomingFolder, label=folder, folder=folder)
        revoke_logins()


def write_index() -> list[dict]:
    """What the auth proxy reads on each login: key → peer folder, tunnel address, cap. 0600, atomic.
    Returns the entries written."""
    entries = []
    for peer in Peer.objects.filter(enabled=True):
        try:
            blob = _key_blob(peer)
        except ssh.InvalidPublicKey:
            continue
        entries.append({"name": peer.name, "key": blob, "vpn_ip": peer.vpn_ip, "root": str(peer_root(peer)),
                        "cap": peer.storage_cap_bytes, "status": str(status_dir(peer))})
    path = index_path()
    write_private_file(path, json.dumps({"peers": entries}, indent=1))
    os.chmod(path.parent, 0o700)
    return entries


def folder_usage(folder: str) -> tuple[int, int, float | None]:
    """(bytes, repositories, last write time) of what a peer stores with us (folder: Peer.folder)."""
    root = incoming_root() / folder
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
