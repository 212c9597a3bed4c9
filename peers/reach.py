"""The one guard in front of every connection to a peer's VPN address.

A peer's tunnel address (10.8.0.x by default) means something only inside our WireGuard tunnel. With
the tunnel down, the kernel sends such packets through the default route — onto the household's LAN or
the internet — so health checks, backups, restores and snapshot reads all ask ``require_tunnel`` first:
it refuses unless our interface is up and the kernel routes that address into it. Addresses outside the
VPN networks (an admin's explicit host override, 127.0.0.1 in tests) need no tunnel.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from anemone.engines import wireguard
from anemone.engines.restic_errors import Unreachable
from anemone.runs import messages


class NoTunnel(Unreachable):
    """Our tunnel is down or does not route the peer's address: nothing was sent."""

    outcome = "no-tunnel"


def vpn_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Our VPN network and every peer's allowed IPs: the addresses that exist only through the tunnel."""
    from peers.identity import get_identity
    from peers.models import Peer, parse_allowed_ips

    networks = [ipaddress.ip_interface(get_identity().vpn_address).network]
    for allowed in Peer.objects.values_list("allowed_ips", flat=True):
        try:
            networks += parse_allowed_ips(allowed)
        except ValueError:
            continue
    return networks


def needs_tunnel(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a host name set by an admin: reached like any other server
    return any(address in network for network in vpn_networks())


def tunnel_problem_message(host: str) -> dict[str, Any] | None:
    """Why `host` may not be contacted now, as a message (peers.hints), or None when it may."""
    from peers.identity import get_identity

    if not needs_tunnel(host):
        return None
    interface = get_identity().interface
    if not wireguard.is_up(interface):
        return messages.msg("peers.tunnel_down", iface=interface, host=host)
    if not wireguard.routed_through(host.strip("[]"), interface):
        return messages.msg("peers.not_routed", iface=interface, host=host)
    return None


def tunnel_problem(host: str) -> str:
    """Why `host` may not be contacted now, in the active language ('' when it may)."""
    problem = tunnel_problem_message(host)
    return messages.render(problem["code"], problem["params"]) if problem else ""


def require_tunnel(host: str) -> None:
    """Raise NoTunnel (a kind of restic Unreachable, so every caller already says "peer unreachable")
    unless `host` can be contacted without leaving through the default route."""
    if problem := tunnel_problem(host):
        raise NoTunnel(problem)
