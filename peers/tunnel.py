"""Our WireGuard tunnel: config file rendering (DATA_DIR/wireguard/<iface>.conf, 0600) and apply."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings

from anemone import crypto
from anemone.engines import wireguard
from anemone.engines.files import write_private_file
from peers.identity import get_identity
from peers.models import Peer

log = logging.getLogger(__name__)


def config_path() -> Path:
    return Path(settings.DATA_DIR) / "wireguard" / f"{get_identity().interface}.conf"


def _sections() -> list[wireguard.PeerSection]:
    """Enabled peers whose values render; a peer with a broken value is left out (and logged), so that
    it cannot take the tunnel down for every other peer."""
    sections = []
    for peer in Peer.objects.filter(enabled=True):
        section = wireguard.PeerSection(peer.name, peer.wg_public_key, peer.allowed_ips, peer.endpoint, peer.keepalive)
        try:
            wireguard.render_peer(section)
        except wireguard.InvalidConfigValue as exc:
            log.error("peer %s left out of the tunnel: %s", peer.pk, exc)
            continue
        sections.append(section)
    return sections


def render(*, wg_quick: bool = True) -> str:
    identity = get_identity()
    return wireguard.render_config(private_key=crypto.unseal(identity.wg_private_sealed), address=identity.vpn_address,
                                   listen_port=identity.listen_port, peers=_sections(), wg_quick=wg_quick)


def routes() -> list[str]:
    return [net.strip() for section in _sections() for net in section.allowed_ips.split(",")]


def write_config() -> Path:
    path = config_path()
    write_private_file(path, render())
    return path


def up() -> str:
    identity = get_identity()
    path = write_config()
    return wireguard.up(identity.interface, identity.vpn_address, render(wg_quick=False), str(path), routes())


def apply_if_up() -> None:
    """After a peer or identity change: rewrite the config and, when the tunnel is up, sync it (peers,
    our address, routes) without dropping it."""
    identity = get_identity()
    path = write_config()
    if wireguard.interface_exists(identity.interface):
        wireguard.syncconf(identity.interface, render(wg_quick=False), str(path))
        wireguard.set_address(identity.interface, identity.vpn_address)
        wireguard.set_routes(identity.interface, routes())


def down() -> None:
    wireguard.down(get_identity().interface)


def status() -> dict[str, wireguard.PeerStatus]:
    try:
        return {p.public_key: p for p in wireguard.show_dump(get_identity().interface)}
    except wireguard.WireGuardError:
        return {}
