"""The one guard in front of every connection to a peer's VPN address.

A peer's tunnel address (10.8.0.x by default) means something only inside our WireGuard tunnel. With
the tunnel down, the kernel sends such packets through the default route — onto the household's LAN or
the internet — so health checks, backups, restores and snapshot reads all ask ``require_tunnel`` first:
it refuses unless our interface is up and the kernel routes that address into it. Addresses outside the
VPN networks (an admin's explicit host override, 127.0.0.1 in tests) need no tunnel.
"""

from __future__ import annotations

import ipaddress

from django.utils.translation import gettext as _

from anemone.engines import wireguard
from anemone.engines.restic_errors import Unreachable


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


def tunnel_problem(host: str) -> str:
    """Why `host` may not be contacted now ('' when it may)."""
    from peers.identity import get_identity

    if not needs_tunnel(host):
        return ""
    interface = get_identity().interface
    if not wireguard.is_up(interface):
        return _("our WireGuard tunnel (%(iface)s) is not up, so %(host)s was not contacted: start it with "
                 "`manage.py wireguard up`.") % {"iface": interface, "host": host}
    if not wireguard.routed_through(host.strip("[]"), interface):
        return _("%(host)s is not routed through our tunnel (%(iface)s), so it was not contacted: check the "
                 "peer's allowed IPs and run `manage.py wireguard up`.") % {"iface": interface, "host": host}
    return ""


def require_tunnel(host: str) -> None:
    """Raise NoTunnel (a kind of restic Unreachable, so every caller already says "peer unreachable")
    unless `host` can be contacted without leaving through the default route."""
    if problem := tunnel_problem(host):
        raise NoTunnel(problem)
