"""The seed's five checks for one peer, each with the fix from its troubleshooting section.

Checks 4 (repository present per carried user) and 5 (backup scheduled and last run succeeded)
belong to the P2P backups; that app registers them with ``register_check``. Until then they say
"not yet".

The checks run in order and stop at the first failure: the later ones say what they wait for. Only
``check_now`` runs them (the Check now button, the API's POST, `manage.py peer_health` and the
schedule); it stores the result on the peer, and pages show that stored result (``last_results``), so
rendering a page never sends a packet. Every connection to the peer's VPN address goes through
peers.reach.require_tunnel first.
"""

from __future__ import annotations

import base64
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

import paramiko
from django.utils import timezone

from anemone.engines import wireguard
from peers import reach
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


_host_resolver: list[Callable[[Peer], tuple[str, int] | None]] = []


def register_check(key: str, function: Callable[[Peer], Check]) -> None:
    _extra[key] = function


def register_host(function: Callable[[Peer], tuple[str, int] | None]) -> None:
    """p2p tells where it really reaches a peer (a target's explicit host and port), so checks 2–3 test that."""
    _host_resolver[:] = [function]


def effective_address(peer: Peer, host: str | None = None) -> tuple[str | None, int]:
    found = next((found for resolve in _host_resolver if (found := resolve(peer))), None)
    if host:
        return host, found[1] if found else peer.sftp_port
    return found if found else (None, peer.sftp_port)


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


def check_port(peer: Peer, host: str | None = None, timeout: float = 5.0, port: int | None = None) -> Check:
    label = "Peer's SFTP port answers through the tunnel"
    host, port = host or peer.vpn_ip, port or peer.sftp_port
    if problem := reach.tunnel_problem(host):
        return Check("vpn", label, "fail", problem, "Start the tunnel: `manage.py wireguard up` (as root).")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        return Check("vpn", label, "fail", f"{host}:{port}: {exc.strerror or exc}",
                     "Check the tunnel (check 1) and that the peer's Anemone runs its sftp process.")
    return Check("vpn", label, "ok", f"{host}:{port}")


def check_sftp(peer: Peer, host: str | None = None, timeout: float = 10.0, port: int | None = None) -> Check:
    label = "SFTP login with our key, our folder listed"
    host, port = host or peer.vpn_ip, port or peer.sftp_port
    if problem := reach.tunnel_problem(host):
        return Check("sftp", label, "fail", problem, "Start the tunnel: `manage.py wireguard up` (as root).")
    client = paramiko.SSHClient()
    key_type, blob = peer.ssh_public_key.split()[:2]
    host_id = host if port == 22 else f"[{host}]:{port}"
    client.get_host_keys().add(host_id, key_type, paramiko.PKey.from_type_string(key_type, base64.b64decode(blob)))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect(host, port, username=get_identity_name(), key_filename=str(p2p_key_path()),
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


LABELS = {"wireguard": "WireGuard handshake within 3 minutes", "vpn": "Peer's SFTP port answers through the tunnel",
          "sftp": "SFTP login with our key, our folder listed", "repository": "Repository present for each carried user",
          "backup": "Backup scheduled and last run succeeded"}


def _steps(host: str | None, port: int) -> list[tuple[str, Callable[[Peer], Check]]]:
    def extra(key: str) -> Callable[[Peer], Check]:
        return _extra.get(key) or (lambda peer: Check(key, LABELS[key], "pending", "not yet: P2P backups are not set up"))

    return [("wireguard", check_wireguard), ("vpn", lambda peer: check_port(peer, host, port=port)),
            ("sftp", lambda peer: check_sftp(peer, host, port=port)), ("repository", extra("repository")), ("backup", extra("backup"))]


def run_checks(peer: Peer, *, host: str | None = None) -> list[Check]:
    """The five checks in order, stopping at the first failure (later ones stay "pending", naming the
    check they wait for). When the peer is reached at an address outside the tunnel (`host`, or the P2P
    target's explicit host: a test, or an admin reaching the endpoint another way) a failed check 1 is
    reported but does not stop the others, since no tunnel is used."""
    host, port = effective_address(peer, host)
    without_tunnel = host is not None and not reach.needs_tunnel(host)
    checks: list[Check] = []
    blocked: Check | None = None
    for number, (key, function) in enumerate(_steps(host, port), start=1):
        if blocked is not None:
            checks.append(Check(key, LABELS[key], "pending", f"waiting for check {blocked.detail}"))
            continue
        check = function(peer)
        checks.append(check)
        if check.status == "fail" and not (without_tunnel and key == "wireguard"):
            blocked = Check(key, check.label, "fail", f"{number} ({check.label})")
    return checks


def check_now(peer: Peer, *, host: str | None = None) -> list[Check]:
    """Run the checklist and store it on the peer for the pages and the API to show."""
    checks = run_checks(peer, host=host)
    Peer.objects.filter(pk=peer.pk).update(health_results=[c.as_dict() for c in checks],
                                           health_checked_at=timezone.now())
    return checks


def last_results(peer: Peer) -> list[Check]:
    """The stored checklist (no network): "not checked yet" until someone or the schedule ran it."""
    stored = [Check(**item) for item in peer.health_results or [] if isinstance(item, dict)]
    if stored:
        return stored
    return [Check(key, label, "pending", "not checked yet") for key, label in LABELS.items()]


def check_all() -> int:
    """The schedule's job: every enabled peer's checklist, stored. Returns how many were checked."""
    peers = list(Peer.objects.filter(enabled=True))
    for peer in peers:
        check_now(peer)
    return len(peers)


def all_ok(checks: list[Check]) -> bool:
    return all(c.status == "ok" for c in checks)


