"""The health checklist's words as data (``peers.*`` codes), rendered in the reader's language.

A check stores its detail and fix as a code + parameters (peers.health.Check), so the checklist stored by
the schedule (English worker) reads in French on a French page; anemone.runs.messages renders them, looking
codes up here by the app label. Engine and OS error text stays a parameter.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

MESSAGES: dict[str, Any] = {
    "peers.label_wireguard": _("WireGuard handshake within 3 minutes"),
    "peers.label_vpn": _("Peer's SFTP port answers through the tunnel"),
    "peers.label_sftp": _("SFTP login with our key, our folder listed"),
    "peers.label_repository": _("Repository present for each carried user"),
    "peers.label_backup": _("Backup scheduled and last run succeeded"),
    "peers.not_checked": _("not checked yet"),
    "peers.waiting": _("waiting for check %(number)s (%(label)s)"),
    "peers.not_set_up": _("not yet: P2P backups are not set up"),
    "peers.no_handshake": _("no handshake yet"),
    "peers.last_handshake": _("last handshake %(seconds)s s ago"),
    "peers.address": "%(host)s:%(port)s",
    "peers.address_error": "%(host)s:%(port)s: %(error)s",
    "peers.bad_host_key": _("the peer's host key is not the one from its invitation code"),
    "peers.key_refused": _("our key was refused"),
    "peers.entries": _("%(count)s entries in our folder"),
    "peers.tunnel_down": _("our WireGuard tunnel (%(iface)s) is not up, so %(host)s was not contacted: start it with "
                           "`manage.py wireguard up`."),
    "peers.not_routed": _("%(host)s is not routed through our tunnel (%(iface)s), so it was not contacted: check the "
                          "peer's allowed IPs and run `manage.py wireguard up`."),
    "peers.fix_start_tunnel": _("Start the tunnel: `manage.py wireguard up` (as root)."),
    "peers.fix_forwarding": _("Check that UDP 51820 is forwarded to this server on both routers, and that each side "
                              "has the other's endpoint and public key right."),
    "peers.fix_offline": _("The peer may be offline, or its endpoint changed (DynDNS). Check its endpoint and UDP "
                           "forwarding."),
    "peers.fix_port": _("Check the tunnel (check 1) and that the peer's Anemone runs its sftp process."),
    "peers.fix_new_code": _("Ask your friend for a fresh invitation code and re-add the peer."),
    "peers.fix_add_us": _("Your friend must add this server as a peer (paste our invitation code), with our SSH key."),
    "peers.fix_checks_first": _("Check checks 1 and 2 first."),
}
