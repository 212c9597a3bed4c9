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
    "peers.label_host": _("What the host says about our backups"),
    "peers.host_not_read": _("not read yet: the next backup or check reads it"),
    "peers.host_unreadable": _("the host publishes no status file (%(error)s)"),
    "peers.fix_host_update": _("An older Anemone on the peer publishes no status: nothing to do, or ask your "
                               "friend to update."),
    "peers.host_says": _("the host last saw a write from us at %(last)s; it holds %(bytes)s bytes for us "
                         "(cap: %(cap)s); its clock said %(clock)s"),
    "peers.host_never": _("never"),
    "peers.host_no_cap": _("none"),
    "peers.fix_host_lost": _("Ask your friend to check their backup disk (unmounted? replaced?), then run a "
                             "backup; if the repositories are gone, start a new history from the P2P page."),
    # Watches (peers.watches): told to our admins, and for a silent peer also to its contact.
    "peers.silent_title": _("%(peer)s has not backed up to %(server)s since %(since)s"),
    "peers.silent_body": _(
        "The server %(peer)s has not written to its folder on %(server)s since %(since)s (%(days)s days; the "
        "warning is set at %(threshold)s days).\n\n"
        "What it means: for %(peer)s, its newest copy on %(server)s is getting old; what changed since is not "
        "kept there, so a loss of its disk now would lose it. For %(server)s, nothing is lost, but it may be "
        "keeping an abandoned copy.\n\n"
        "What to do: check %(peer)s's server (is it on? do its P2P backups run and succeed?) and its WireGuard "
        "tunnel to %(server)s: the peer's health page on either side says which check fails. This clears "
        "when %(peer)s writes again."),
    "peers.unreachable_title": _("Peer %(peer)s unreachable for %(hours)s hours"),
    "peers.unreachable_body": _(
        "Since %(since)s, every health check of %(peer)s failed (last checked %(checked)s): %(check)s — "
        "%(detail)s.\n\nOur backups to %(peer)s cannot run while it lasts.\n\nWhat to do: %(fix)s"),
    "peers.lost_title": _("%(peer)s may have lost our backups"),
    "peers.lost_body": _(
        "The server %(peer)s says it last saw a write from us at %(host_last)s and holds %(host_bytes)s bytes "
        "for us, but our last successful backup there was at %(ours)s (%(our_bytes)s bytes).\n\n"
        "Its disk may have been replaced, wiped or unmounted: our copies there may be gone.\n\n"
        "What to do: ask %(peer)s's admin to check its backup disk, then run a backup; if the repositories "
        "are gone, start a new history from the P2P page."),
}
