"""Tunnel addresses when pairing: two fresh servers both start at 10.8.0.1, so one of them moves.

Both sides decide alike from what each code carries, whichever code is pasted first:
- different addresses: nothing to do;
- same address: a server that already has peers (``settled``) keeps its address; when neither has,
  the server with the greater WireGuard public key moves; when both have, there is no automatic choice
  (the admin is told, in words, what to change);
- the one that moves takes an address in the other's network derived from its own public key, so the
  side that stays computes the very same address for it without any further exchange.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from peers import codes
from peers.models import Peer, ServerIdentity, parse_allowed_ips


@dataclass(frozen=True)
class Plan:
    """The friend's allowed IPs and, when we are the one that moves, our new VPN address."""

    allowed_ips: str
    our_new_address: str = ""


def moved_address(mover_key: str, keeper: ipaddress.IPv4Interface | ipaddress.IPv6Interface) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address the moving server takes in the keeper's network (never the keeper's own)."""
    network = keeper.network
    hosts = network.num_addresses - 2
    digest = int.from_bytes(hashlib.sha256(mover_key.encode()).digest()[:8], "big")
    for step in range(hosts):
        candidate = network.network_address + 1 + (digest + step) % hosts
        if candidate != keeper.ip:
            return candidate
    raise ValidationError({"allowed_ips": _("Our VPN network has no free address left.")})


def host_cidr(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    return f"{ip}/{ip.max_prefixlen}"


def _we_move(identity: ServerIdentity, invitation: codes.Invitation) -> bool:
    settled = Peer.objects.exclude(wg_public_key=invitation.wg_public_key).exists()
    if settled and invitation.settled:
        raise ValidationError({"allowed_ips": _(
            "%(name)s's server and ours both use the VPN address %(ip)s and both already have other peers, so "
            "neither can move on its own. Change our VPN address under Peers → My server (or ask your friend to "
            "change theirs), then exchange invitation codes again.") % {
            "name": invitation.name, "ip": ipaddress.ip_interface(identity.vpn_address).ip}})
    if settled != invitation.settled:
        return not settled
    return identity.wg_public_key > invitation.wg_public_key


def plan(identity: ServerIdentity, invitation: codes.Invitation) -> Plan:
    ours = ipaddress.ip_interface(identity.vpn_address)
    theirs = ipaddress.ip_interface(invitation.vpn_address)
    if theirs.ip != ours.ip:
        return Plan(host_cidr(theirs.ip))
    if _we_move(identity, invitation):
        new = moved_address(identity.wg_public_key, theirs)
        return Plan(host_cidr(theirs.ip), f"{new}/{theirs.network.prefixlen}")
    new = moved_address(invitation.wg_public_key, ours)
    for other in Peer.objects.exclude(wg_public_key=invitation.wg_public_key).only("name", "allowed_ips"):
        try:
            taken = new in parse_allowed_ips(other.allowed_ips)[0]
        except ValueError:
            continue
        if taken:
            raise ValidationError({"allowed_ips": _(
                "%(name)s's server uses our VPN address; the address it would move to, %(ip)s, is peer %(other)s's. "
                "Ask your friend to set another VPN address, then exchange codes again.") % {
                "name": invitation.name, "ip": new, "other": other.name}})
    return Plan(host_cidr(new))
