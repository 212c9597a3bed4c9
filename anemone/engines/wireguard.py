"""WireGuard: keys, wg-quick style config rendering, `wg show dump` parsing, and applying a tunnel.

Kernel WireGuard when `ip link add type wireguard` works, else wireguard-go (userspace; its UAPI
socket lives in /var/run/wireguard/<iface>.sock, so each instance needs its own interface name).
Changes to peers are applied with `wg syncconf`, which keeps live tunnels up.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from anemone.engines import proc
from anemone.engines.files import write_private_file


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


class InvalidConfigValue(ValueError):
    """A value that cannot go into a WireGuard config line as it is (it would add or break a line)."""


_ENDPOINT = re.compile(r"(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})")
_COMMENT = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _key(value: str, what: str) -> str:
    if not isinstance(value, str) or len(value) != 44 or not is_valid_key(value):
        raise InvalidConfigValue(f"{what}: not a WireGuard key")
    return value


def _port(value: int, what: str, low: int = 1) -> int:
    if type(value) is not int or not low <= value <= 65535:
        raise InvalidConfigValue(f"{what}: not a port number")
    return value


def _networks(value: str) -> str:
    """AllowedIPs re-written from parsed networks, so nothing but CIDRs and ', ' reaches the line."""
    parts = [part.strip() for part in str(value).split(",")]
    try:
        if not parts or any(not part or any(ch.isspace() for ch in part) for part in parts):
            raise ValueError(value)
        return ", ".join(str(ipaddress.ip_network(part, strict=False)) for part in parts)
    except ValueError:
        raise InvalidConfigValue("AllowedIPs: not a list of CIDR addresses") from None


def _endpoint(value: str) -> str:
    match = _ENDPOINT.fullmatch(value)
    if not match or not 1 <= int(match.group(3)) <= 65535:
        raise InvalidConfigValue("Endpoint: not host:port")
    return value


def render_peer(peer: PeerSection) -> list[str]:
    """One [Peer] section, every value parsed (InvalidConfigValue otherwise): one value per line."""
    lines = ["", f"# {peer.name}" if _COMMENT.fullmatch(peer.name or "") else "# peer", "[Peer]",
             f"PublicKey = {_key(peer.public_key, 'PublicKey')}", f"AllowedIPs = {_networks(peer.allowed_ips)}"]
    if peer.endpoint:
        lines.append(f"Endpoint = {_endpoint(peer.endpoint)}")
    if peer.keepalive:
        lines.append(f"PersistentKeepalive = {_port(peer.keepalive, 'PersistentKeepalive')}")
    return lines


def render_config(*, private_key: str, address: str, listen_port: int, peers: Sequence[PeerSection],
                  wg_quick: bool = True) -> str:
    """The config file; wg_quick=False drops the keys only wg-quick understands (for `wg syncconf`).
    Written from parsed values only, so no field can add a line; a bad value raises InvalidConfigValue."""
    try:
        interface = str(ipaddress.ip_interface(address))
    except ValueError:
        raise InvalidConfigValue("Address: not an address with its network") from None
    lines = ["[Interface]", f"PrivateKey = {_key(private_key, 'PrivateKey')}", f"ListenPort = {_port(listen_port, 'ListenPort')}"]
    if wg_quick:
        lines.insert(1, f"Address = {interface}")
    for peer in peers:
        lines += render_peer(peer)
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


def up(interface: str, address: str, config_text_syncconf: str, config_path: str, routes: Sequence[str] = ()) -> str:
    """Create (if needed) and configure the interface; returns "kernel" or "wireguard-go".
    `routes`: the peers' AllowedIPs, routed into the tunnel like wg-quick does (a peer outside our own
    network would otherwise be reached through the default route)."""
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
    set_address(interface, address)
    _ip("link", "set", "up", "dev", interface)
    set_routes(interface, routes)
    return mode


def set_address(interface: str, address: str) -> None:
    """Exactly our VPN address on the interface (a changed address replaces the old one)."""
    wanted = str(ipaddress.ip_interface(address))
    words = _ip("-o", "address", "show", "dev", interface).stdout.split()
    present = [words[i + 1] for i, word in enumerate(words[:-1]) if word in ("inet", "inet6")
               and not words[i + 1].startswith("fe80:")]
    if present == [wanted]:
        return
    _ip("address", "flush", "dev", interface)
    _ip("address", "add", wanted, "dev", interface)


def set_routes(interface: str, routes: Sequence[str]) -> None:
    for route in routes:
        network = str(ipaddress.ip_network(route, strict=False))
        _ip("route", "replace", network, "dev", interface)


def routed_through(address: str, interface: str, namespace: str | None = None) -> bool:
    """True when the kernel sends packets for `address` into `interface` (`ip route get`)."""
    result = _ip("-o", "route", "get", str(ipaddress.ip_address(address)), namespace=namespace)
    words = result.stdout.split()
    return result.returncode == 0 and "dev" in words and words[words.index("dev") + 1] == interface


def is_up(interface: str) -> bool:
    """The interface exists and is administratively up."""
    result = _ip("-o", "link", "show", "dev", interface)
    flags = result.stdout.split("<", 1)[1].split(">", 1)[0].split(",") if result.returncode == 0 and "<" in result.stdout else []
    return "UP" in flags


def syncconf(interface: str, config_text: str, config_path: str) -> None:
    """Apply peers without dropping live tunnels."""
    plain = config_path + ".syncconf"
    write_private_file(Path(plain), config_text)  # holds our private key
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
