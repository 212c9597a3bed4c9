"""How a person's repository on a peer is reached: restic's ``rclone:`` backend over SFTP (DESIGN §5).

The remote is defined by environment variables only: our P2P key (DATA_DIR/certs/p2p_key) logs in,
and the peer's host key is pinned from its invitation code (a peer's endpoint presents the same
Ed25519 key it gave us for logging in to ours), so a changed key is refused, never trusted on use.
Connection and I/O timeouts are short: a peer behind a cut tunnel must fail the run, not hang it.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

from anemone.accounts.services import backup_key
from anemone.engines import rclone, restic
from anemone.engines.files import write_private_file
from anemone.engines.ssh import known_hosts_host
from p2p.models import PeerTarget
from peers import reach
from peers.identity import p2p_key_path, server_name

REMOTE = "anemonepeer"
CONNECT_TIMEOUT = "15s"
IO_TIMEOUT = "60s"


def our_slug() -> str:
    """This server's current name as a folder and login name (only for a target's first use: see folder)."""
    return slugify(server_name())[:32] or "anemone"


def folder(target: PeerTarget) -> str:
    """Our folder (and login, and snapshot host name) on the peer: fixed on first use, then kept.

    Taken from the server's name the first time, stored on the target, and never re-derived: renaming
    the server in Settings used to make the next backup write to a new folder at the peer, where every
    person's history looked gone (issue #11, item 29)."""
    if not target.peer_folder:
        slug = our_slug()
        PeerTarget.objects.filter(pk=target.pk, peer_folder="").update(peer_folder=slug)
        target.peer_folder = PeerTarget.objects.filter(pk=target.pk).values_list("peer_folder", flat=True).first() or slug
    return target.peer_folder


def host(target: PeerTarget) -> str:
    return target.host or target.peer.vpn_ip


def port(target: PeerTarget) -> int:
    return target.port or target.peer.sftp_port


def login(target: PeerTarget) -> str:
    return target.login or folder(target)


def base_path(target: PeerTarget) -> str:
    return target.base_path or folder(target)


def repo_path(target: PeerTarget, username: str) -> str:
    """``<base>/<username>`` inside our folder on the peer's endpoint."""
    return f"{base_path(target)}/{username}"


def known_hosts_file(target: PeerTarget) -> Path:
    """The peer's pinned host key, rewritten on each use (the peer's key or address may have been edited)."""
    key_type, blob = target.peer.ssh_public_key.split()[:2]
    path = Path(settings.DATA_DIR) / "p2p" / "known_hosts" / target.peer.name
    line = f"{known_hosts_host(host(target), port(target))} {key_type} {blob}\n"
    if not path.exists() or path.read_text() != line:
        write_private_file(path, line)
    return path


def remote_env(target: PeerTarget) -> dict[str, str]:
    env = rclone.remote_env(REMOTE, "sftp", {
        "host": host(target), "port": port(target), "user": login(target), "key_file": str(p2p_key_path()),
        "known_hosts_file": str(known_hosts_file(target)), "shell_type": "none", "disable_hashcheck": True,
    })
    env.update({"RCLONE_CONTIMEOUT": CONNECT_TIMEOUT, "RCLONE_TIMEOUT": IO_TIMEOUT, "RCLONE_LOW_LEVEL_RETRIES": "3"})
    return env


def cache_dir(target: PeerTarget) -> Path:
    path = Path(settings.DATA_DIR) / "cache" / "restic" / target.peer.name
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def repository(target: PeerTarget, person) -> restic.Repository:
    """The person's repository on the peer, opened with the person's own backup key. Raises
    peers.reach.NoTunnel (a restic.Unreachable) when the peer's VPN address is not routed through our
    tunnel: every backup, restore, snapshot read and health check comes through here, so none sends a
    packet out of the default route."""
    reach.require_tunnel(host(target))
    return restic.Repository.over_rclone(REMOTE, repo_path(target, person.username), backup_key(person),
                                         remote_env(target), cache_dir(target), target.bandwidth_limit_kib)


def plain_restic_command(target: PeerTarget, username: str) -> list[str]:
    """The seed's last command, for a person without Anemone: list their snapshots with plain restic
    and their own backup key (restic asks for it), over OpenSSH's sftp with our P2P key."""
    ssh = (f"ssh -i {p2p_key_path()} -p {port(target)} -o UserKnownHostsFile={known_hosts_file(target)} "
           f"-o StrictHostKeyChecking=yes {login(target)}@{host(target)} -s sftp")
    return ["restic", "-r", f"sftp:{login(target)}@{host(target)}:{repo_path(target, username)}",
            "-o", f"sftp.command={ssh}", "snapshots"]


def folders_at_peers() -> list[str]:
    """Our folders on friends' servers, as "peer: folder": what a server rename leaves in place."""
    return [f"{target.peer.name}: {target.base_path or target.peer_folder or our_slug()}"
            for target in PeerTarget.objects.select_related("peer")]
