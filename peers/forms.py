"""The My server form: what a friend needs to reach us. Saved through services.update_identity, the
function `manage.py identity` calls too; the fields' validators are the model's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peers.models import Peer, ServerIdentity


class IdentityForm(forms.ModelForm):
    class Meta:
        model = ServerIdentity
        fields = ["endpoint", "vpn_address", "listen_port", "sftp_port", "contact_email", "contact_language"]
        help_texts = {
            "endpoint": _("host:port your friend's server sends WireGuard packets to (your public address or "
                          "DynDNS name and the forwarded UDP port); blank if only they can be reached."),
            "vpn_address": _("This server's address inside the tunnel, with its network, e.g. 10.8.0.1/24."),
        }


class PeerWatchForm(forms.ModelForm):
    """When to warn about a silent peer and whom of theirs to tell (saved through services.save_peer)."""

    class Meta:
        model = Peer
        fields = ["silent_after_days", "contact_email", "contact_language"]
