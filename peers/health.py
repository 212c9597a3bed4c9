"""The seed's five checks for one peer, each with the fix from its troubleshooting section.

Checks 4 (repository present per carried user) and 5 (backup scheduled and last run succeeded)
belong to the P2P backups; that app registers them with ``register_check``. Until then they say
"not yet".
"""

from __future__ import annotations

import base64
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

import paramiko

from anemone.engines import wireguard
from peers.identity import get_identity, p2p_key_path
from peers.models import Peer

HANDSHAKE_MAX_AGE = timedelta(minutes=3)


@dataclass
class Check:
    key: str
    label: str
    status: str  # ok | fail | pending
    detail: str = ""
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


_extra: dict[str, Callable[[Peer], Check]] = {}


def register_check(key: str, function: Callable[[Peer], Check]) -> None:
    _extra[key] = function


def check_wireguard(peer: Peer) -> Check:
    label = "WireGuard handshake within 3 minutes"
    try:
        status = {p.public_key: p for p in wireguard.show_dump(get_identity().interface)}
    except wireguard.WireGuardError as exc:
        return Check("wireguard", label, "fail", str(exc), "Start the tunnel: `manage.py wireguard up` (as root).")
    mine = status.get(peer.wg_public_key)
    if mine is None or mine.latest_handshake is None:
        return Check("wireguard", label, "fail", "no handshake yet",
                     "Check that UDP 51820 is forwarded to this server on both routers, and that each side has "
                     "the other's endpoint and public key right.")
    age = datetime.now(UTC) - mine.latest_handshake
    if age > HANDSHAKE_MAX_AGE:
        return Check("wireguard", label, "fail", f"last handshake {int(age.total_seconds())} s ago",
                     "The peer may be offline, or its endpoint changed (DynDNS). Check its endpoint and UDP forwarding.")
    return Check("wireguard", label, "ok", f"last handshake {int(age.total_seconds())} s ago")


def check_port(peer: Peer, host: str | None = None, timeout: float = 5.0) -> Check:
    label = "Peer's SFTP port answers through the tunnel"
    host = host or peer.vpn_ip
    try:
        socket.create_connection((host, peer.sftp_port), timeout=timeout).close()
    except OSError as exc:
        return Check("vpn", label, "fail", f"{host}:{peer.sftp_port}: {exc.strerror or exc}",
                     "Check the tunnel (check 1) and that the peer's Anemone runs its sftp process.")
    return Check("vpn", label, "ok", f"{host}:{peer.sftp_port}")


def check_sftp(peer: Peer, host: str | None = None, timeout: float = 10.0) -> Check:
    label = "SFTP login with our key, our folder listed"
    host = host or peer.vpn_ip
    client = paramiko.SSHClient()
    key_type, blob = peer.ssh_public_key.split()[:2]
    host_id = host if peer.sftp_port == 22 else f"[{host}]:{peer.sftp_port}"
    client.get_host_keys().add(host_id, key_type, paramiko.PKey.from_type_string(key_type, base64.b64decode(blob)))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect(host, peer.sftp_port, username=get_identity_name(), key_filename=str(p2p_key_path()),
                       look_for_keys=False, allow_agent=False, timeout=timeout, banner_timeout=timeout, auth_timeout=timeout)
        entries = client.open_sftp().listdir(".")
    except paramiko.BadHostKeyException:
        return Check("sftp", label, "fail", "the peer's host key is not the one from its invitation code",
                     "Ask your friend for a fresh invitation code and re-add the peer.")
    except paramiko.AuthenticationException:
        return Check("sftp", label, "fail", "our key was refused",
                     "Your friend must add this server as a peer (paste our invitation code), with our SSH key.")
    except (OSError, paramiko.SSHException) as exc:
        return Check("sftp", label, "fail", str(exc)[:200], "Check checks 1 and 2 first.")
    finally:
        client.close()
    return Check("sftp", label, "ok", f"{len(entries)} entries in our folder")


def get_identity_name() -> str:
    from peers.identity import server_name

    return server_name()


def run_checks(peer: Peer, *, host: str | None = None) -> list[Check]:
    """All five checks. Without a tunnel (check 1 failing) checks 2 and 3 are not attempted: the peer's
    VPN address would route out of the machine instead of through WireGuard."""
    tunnel_check = check_wireguard(peer)
    if tunnel_check.status == "ok" or host is not None:
        checks = [tunnel_check, check_port(peer, host), check_sftp(peer, host)]
    else:
        waiting = "waiting for check 1 (no tunnel to the peer yet)"
        checks = [tunnel_check,
                  Check("vpn", "Peer's SFTP port answers through the tunnel", "pending", waiting),
                  Check("sftp", "SFTP login with our key, our folder listed", "pending", waiting)]
    for key, label in (("repository", "Repository present for each carried user"),
                       ("backup", "Backup scheduled and last run succeeded")):
        function = _extra.get(key)
        checks.append(function(peer) if function else Check(key, label, "pending", "not yet: P2P backups are not set up"))
    return checks


def all_ok(checks: list[Check]) -> bool:
    return all(c.status == "ok" for c in checks)


