"""WireGuard: keys, wg-quick style config rendering, `wg show dump` parsing, and applying a tunnel.

Kernel WireGuard when `ip link add type wireguard` works, else wireguard-go (userspace; its UAPI
socket lives in /var/run/wireguard/<iface>.sock, so each instance needs its own interface name).
Changes to peers are applied with `wg syncconf`, which keeps live tunnels up.
"""

from __future__ import annotations

import base64
import binascii
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from anemone.engines import proc


class WireGuardError(RuntimeError):
    """Applying or reading the tunnel failed; the message says what to do."""


class NoPermission(WireGuardError):
    """This process may not create network interfaces (not root, or no /dev/net/tun)."""


def generate_keypair() -> tuple[str, str]:
    """(private, public) in wg's base64 format."""
    key = X25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(private).decode(), base64.b64encode(public).decode()


def is_valid_key(text: str) -> bool:
    try:
        return len(base64.b64decode(text.strip(), validate=True)) == 32 and len(text.strip()) == 44
    except (binascii.Error, ValueError):
        return False


@dataclass(frozen=True)
class PeerSection:
    name: str
    public_key: str
    allowed_ips: str
    endpoint: str = ""
    keepalive: int = 25


def render_config(*, private_key: str, address: str, listen_port: int, peers: Sequence[PeerSection],
                  wg_quick: bool = True) -> str:
    """The config file; wg_quick=False drops the keys only wg-quick understands (for `wg syncconf`)."""
    lines = ["[Interface]", f"PrivateKey = {private_key}", f"ListenPort = {listen_port}"]
    if wg_quick:
        lines.insert(1, f"Address = {address}")
    for peer in peers:
        lines += ["", f"# {peer.name}", "[Peer]", f"PublicKey = {peer.public_key}", f"AllowedIPs = {peer.allowed_ips}"]
        if peer.endpoint:
            lines.append(f"Endpoint = {peer.endpoint}")
        if peer.keepalive:
            lines.append(f"PersistentKeepalive = {peer.keepalive}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class PeerStatus:
    public_key: str
    endpoint: str
    allowed_ips: str
    latest_handshake: datetime | None
    rx_bytes: int
    tx_bytes: int
    keepalive: int


def parse_dump(text: str) -> list[PeerStatus]:
    """`wg show <iface> dump`: first line is the interface, then one tab-separated line per peer."""
    peers = []
    for line in text.strip().splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) < 8:
            continue
        public, _psk, endpoint, allowed, handshake, rx, tx, keepalive = fields[:8]
        stamp = int(handshake or 0)
        peers.append(PeerStatus(
            public_key=public, endpoint="" if endpoint == "(none)" else endpoint,
            allowed_ips="" if allowed == "(none)" else allowed,
            latest_handshake=datetime.fromtimestamp(stamp, tz=UTC) if stamp else None,
            rx_bytes=int(rx or 0), tx_bytes=int(tx or 0), keepalive=0 if keepalive == "off" else int(keepalive or 0),
        ))
    return peers


def admin_commands(interface: str, config_path: str) -> list[str]:
    """What an admin can run by hand when Anemone lacks the rights."""
    return [f"sudo wireguard-go {interface}   # or: sudo ip link add {interface} type wireguard",
            f"sudo wg setconf {interface} <(grep -v '^Address' {config_path})",
            f"sudo ip address add <our VPN address> dev {interface}", f"sudo ip link set {interface} up"]


def check_rights() -> None:
    if os.geteuid() != 0:
        raise NoPermission("Anemone is not running as root, so it cannot create the WireGuard interface.")
    if not os.path.exists("/dev/net/tun") and shutil.which("wireguard-go"):
        raise NoPermission("/dev/net/tun is missing, so wireguard-go cannot create the interface.")


def _ip(*args: str, namespace: str | None = None) -> proc.ProcResult:
    prefix = ["ip", "netns", "exec", namespace] if namespace else []
    return proc.run([*prefix, "ip", *args], timeout=30)


def interface_exists(interface: str) -> bool:
    return _ip("link", "show", "dev", interface).returncode == 0


def up(interface: str, address: str, config_text_syncconf: str, config_path: str) -> str:
    """Create (if needed) and configure the interface; returns "kernel" or "wireguard-go"."""
    check_rights()
    mode = "existing"
    if not interface_exists(interface):
        if _ip("link", "add", "dev", interface, "type", "wireguard").returncode == 0:
            mode = "kernel"
        else:
            # wireguard-go daemonizes: its parent exits once the interface exists. No pipes, or the
            # daemon would hold them open; its own session, so it outlives this command.
            started = proc.spawn(["wireguard-go", interface], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if started.wait(timeout=30) != 0 or not interface_exists(interface):
                raise WireGuardError("wireguard-go could not create the interface (is /dev/net/tun available?)")
            mode = "wireguard-go"
    syncconf(interface, config_text_syncconf, config_path)
    _ip("address", "replace", address, "dev", interface)
    _ip("link", "set", "up", "dev", interface)
    return mode


def syncconf(interface: str, config_text: str, config_path: str) -> None:
    """Apply peers without dropping live tunnels."""
    plain = config_path + ".syncconf"
    fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(config_text)
    try:
        result = proc.run(["wg", "syncconf", interface, plain], timeout=30)
    finally:
        os.unlink(plain)
    if result.returncode != 0:
        raise WireGuardError(f"wg syncconf failed: {result.stderr[-300:]}")


def down(interface: str) -> None:
    check_rights()
    if interface_exists(interface):
        _ip("link", "delete", "dev", interface)


def show_dump(interface: str) -> list[PeerStatus]:
    result = proc.run(["wg", "show", interface, "dump"], timeout=15)
    if result.returncode != 0:
        raise WireGuardError(f"the tunnel {interface} is not up ({result.stderr.strip()[:200]})")
    return parse_dump(result.stdout)
