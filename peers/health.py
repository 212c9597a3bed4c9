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
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

import paramiko
from django.utils import timezone
from django.utils.translation import gettext

from anemone.engines import wireguard
from anemone.runs import messages
from peers import reach
from peers.identity import get_identity, p2p_key_path
from peers.models import Peer

HANDSHAKE_MAX_AGE = timedelta(minutes=3)


@dataclass
class Check:
    """One check's result. ``label``, ``detail`` and ``fix`` are English (the API's keys, kept for scripts and
    for results stored before the codes); ``detail_code``/``fix_code`` + params are the same words as data
    (peers.hints, p2p.hints), and the ``shown_*`` properties say them in the reader's language."""

    key: str
    label: str
    status: str  # ok | fail | pending
    detail: str = ""
    fix: str = ""
    detail_code: str = ""
    detail_params: dict[str, Any] = field(default_factory=dict)
    fix_code: str = ""
    fix_params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, key: str, status: str, detail: dict[str, Any] | None = None,
           fix: dict[str, Any] | None = None) -> Check:
        """A check whose detail and fix are messages (``messages.msg(...)``): stored as data and in English."""
        detail, fix = detail or {}, fix or {}
        return cls(key, label_of(key, english=True), status,
                   _english(detail), _english(fix), detail.get("code", ""), detail.get("params") or {},
                   fix.get("code", ""), fix.get("params") or {})

    @classmethod
    def stored(cls, item: dict[str, Any]) -> Check:
        """A check as kept in Peer.health_results (older rows have only the English texts)."""
        names = {f.name for f in fields(cls)}
        return cls(**{name: value for name, value in item.items() if name in names})

    @property
    def shown_label(self) -> str:
        return label_of(self.key) if self.key in (*LABELS, "host") else self.label

    @property
    def shown_detail(self) -> str:
        return _shown(self.detail_code, self.detail_params, self.detail)

    @property
    def shown_fix(self) -> str:
        return _shown(self.fix_code, self.fix_params, self.fix)

    def as_stored(self) -> dict[str, Any]:
        return asdict(self)

    def as_dict(self) -> dict[str, Any]:
        """The API's shape: the stored keys and the texts in the request's language."""
        return {**asdict(self), "shown_label": self.shown_label, "shown_detail": self.shown_detail,
                "shown_fix": self.shown_fix}


def _english(message: dict[str, Any]) -> str:
    return messages.english(message["code"], message.get("params")) if message else ""


def _shown(code: str, params: dict[str, Any], text: str) -> str:
    """The message in the active language; an old row's English text through the catalogue (a fixed text such
    as "our key was refused" is a msgid; texts with figures in them stay English)."""
    if code:
        return messages.render(code, params)
    return gettext(text) if text else ""


def label_of(key: str, *, english: bool = False) -> str:
    code = f"peers.label_{key}"
    return messages.english(code) if english else messages.render(code)


def text(value: str) -> dict[str, Any]:
    """An engine's or the OS's own words, as a message parameter."""
    return messages.msg("runs.text", text=value)


_extra: dict[str, Callable[[Peer], Check]] = {}


_host_resolver: list[Callable[[Peer], tuple[str, int] | None]] = []
_after: list[Callable[[Peer], None]] = []


def register_check(key: str, function: Callable[[Peer], Check]) -> None:
    _extra[key] = function


def register_after_reached(function: Callable[[Peer], None]) -> None:
    """p2p reads the host's status file (what it says about our folder) once a check has logged in."""
    _after[:] = [function]


def register_host(function: Callable[[Peer], tuple[str, int] | None]) -> None:
    """p2p tells where it really reaches a peer (a target's explicit host and port), so checks 2–3 test that."""
    _host_resolver[:] = [function]


def effective_address(peer: Peer, host: str | None = None) -> tuple[str | None, int]:
    found = next((found for resolve in _host_resolver if (found := resolve(peer))), None)
    if host:
        return host, found[1] if found else peer.sftp_port
    return found if found else (None, peer.sftp_port)


def check_wireguard(peer: Peer) -> Check:
    start_tunnel = messages.msg("peers.fix_start_tunnel")
    try:
        status = {p.public_key: p for p in wireguard.show_dump(get_identity().interface)}
    except wireguard.WireGuardError as exc:
        return Check.of("wireguard", "fail", text(str(exc)), start_tunnel)
    mine = status.get(peer.wg_public_key)
    if mine is None or mine.latest_handshake is None:
        return Check.of("wireguard", "fail", messages.msg("peers.no_handshake"), messages.msg("peers.fix_forwarding"))
    age = datetime.now(UTC) - mine.latest_handshake
    said = messages.msg("peers.last_handshake", seconds=int(age.total_seconds()))
    if age > HANDSHAKE_MAX_AGE:
        return Check.of("wireguard", "fail", said, messages.msg("peers.fix_offline"))
    return Check.of("wireguard", "ok", said)


def check_port(peer: Peer, host: str | None = None, timeout: float = 5.0, port: int | None = None) -> Check:
    host, port = host or peer.vpn_ip, port or peer.sftp_port
    if problem := reach.tunnel_problem_message(host):
        return Check.of("vpn", "fail", problem, messages.msg("peers.fix_start_tunnel"))
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        return Check.of("vpn", "fail", messages.msg("peers.address_error", host=host, port=port,
                                                    error=str(exc.strerror or exc)), messages.msg("peers.fix_port"))
    return Check.of("vpn", "ok", messages.msg("peers.address", host=host, port=port))


def check_sftp(peer: Peer, host: str | None = None, timeout: float = 10.0, port: int | None = None) -> Check:
    host, port = host or peer.vpn_ip, port or peer.sftp_port
    if problem := reach.tunnel_problem_message(host):
        return Check.of("sftp", "fail", problem, messages.msg("peers.fix_start_tunnel"))
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
        return Check.of("sftp", "fail", messages.msg("peers.bad_host_key"), messages.msg("peers.fix_new_code"))
    except paramiko.AuthenticationException:
        return Check.of("sftp", "fail", messages.msg("peers.key_refused"), messages.msg("peers.fix_add_us"))
    except (OSError, paramiko.SSHException) as exc:
        return Check.of("sftp", "fail", text(str(exc)[:200]), messages.msg("peers.fix_checks_first"))
    finally:
        client.close()
    return Check.of("sftp", "ok", messages.msg("peers.entries", count=len(entries)))


def get_identity_name() -> str:
    from peers.identity import server_name

    return server_name()


# The five checks, in order (their words: peers.hints "peers.label_<key>").
LABELS = ("wireguard", "vpn", "sftp", "repository", "backup")


def _steps(host: str | None, port: int) -> list[tuple[str, Callable[[Peer], Check]]]:
    def extra(key: str) -> Callable[[Peer], Check]:
        return _extra.get(key) or (lambda peer: Check.of(key, "pending", messages.msg("peers.not_set_up")))

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
    blocked: dict[str, Any] | None = None
    for number, (key, function) in enumerate(_steps(host, port), start=1):
        if blocked is not None:
            checks.append(Check.of(key, "pending", blocked))
            continue
        check = function(peer)
        checks.append(check)
        if check.status == "fail" and not (without_tunnel and key == "wireguard"):
            blocked = messages.msg("peers.waiting", number=number, label=messages.msg(f"peers.label_{key}"))
    return checks


def check_now(peer: Peer, *, host: str | None = None) -> list[Check]:
    """Run the checklist and store it on the peer for the pages and the API to show."""
    from peers import hosting

    checks = run_checks(peer, host=host)
    now = timezone.now()
    before = Peer.objects.filter(pk=peer.pk).values_list("unreachable_since", flat=True).first()
    since = None if reached(checks) else (before or now)
    Peer.objects.filter(pk=peer.pk).update(health_results=[c.as_stored() for c in checks],
                                           health_checked_at=now, unreachable_since=since)
    peer.health_results, peer.health_checked_at, peer.unreachable_since = [c.as_stored() for c in checks], now, since
    hosting.observe(peer, now)  # the hosting side too: its status file carries our clock
    if reached(checks):
        for function in _after:
            function(peer)
    return checks


def reached(checks: list[Check]) -> bool:
    """Whether we logged in to the peer's endpoint (check 3): the repository and backup checks may fail
    for other reasons, and a failed check 1 with a working login (no tunnel needed) is still reached."""
    return any(c.key == "sftp" and c.status == "ok" for c in checks)


def last_results(peer: Peer) -> list[Check]:
    """The stored checklist (no network): "not checked yet" until someone or the schedule ran it."""
    stored = [Check.stored(item) for item in peer.health_results or [] if isinstance(item, dict)]
    if stored:
        return stored
    return [Check.of(key, "pending", messages.msg("peers.not_checked")) for key in LABELS]


def check_all() -> int:
    """The schedule's job: every enabled peer's checklist, stored. Returns how many were checked."""
    peers = list(Peer.objects.filter(enabled=True))
    for peer in peers:
        check_now(peer)
    return len(peers)


def all_ok(checks: list[Check]) -> bool:
    return all(c.status == "ok" for c in checks)


