"""Our WireGuard tunnel: config file rendering (DATA_DIR/wireguard/<iface>.conf, 0600) and apply."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from anemone import crypto
from anemone.engines import wireguard
from peers.identity import get_identity
from peers.models import Peer


def config_path() -> Path:
    return Path(settings.DATA_DIR) / "wireguard" / f"{get_identity().interface}.conf"


def render(*, wg_quick: bool = True) -> str:
    identity = get_identity()
    peers = [wireguard.PeerSection(p.name, p.wg_public_key, p.allowed_ips, p.endpoint, p.keepalive)
             for p in Peer.objects.filter(enabled=True)]
    return wireguard.render_config(private_key=crypto.unseal(identity.wg_private_sealed), address=identity.vpn_address,
                                   listen_port=identity.listen_port, peers=peers, wg_quick=wg_quick)


def write_config() -> Path:
    path = config_path()
    crypto.write_private_file(path, render())
    return path


def up() -> str:
    identity = get_identity()
    path = write_config()
    return wireguard.up(identity.interface, identity.vpn_address, render(wg_quick=False), str(path))


def apply_if_up() -> None:
    """After a peer change: rewrite the config and, when the tunnel is up, sync it without dropping it."""
    identity = get_identity()
    path = write_config()
    if wireguard.interface_exists(identity.interface):
        wireguard.syncconf(identity.interface, render(wg_quick=False), str(path))


def down() -> None:
    wireguard.down(get_identity().interface)


def status() -> dict[str, wireguard.PeerStatus]:
    try:
        return {p.public_key: p for p in wireguard.show_dump(get_identity().interface)}
    except wireguard.WireGuardError:
        return {}
