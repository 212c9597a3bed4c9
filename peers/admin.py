from django.contrib import admin

from peers.models import Peer, ServerIdentity


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):
    list_display = ["name", "endpoint", "allowed_ips", "enabled", "created_at"]
    list_filter = ["enabled"]


@admin.register(ServerIdentity)
class ServerIdentityAdmin(admin.ModelAdmin):
    """Public parts only: the private WireGuard key is sealed and never shown."""

    list_display = ["vpn_address", "endpoint", "listen_port", "sftp_port", "interface"]
    exclude = ["wg_private_sealed"]
    readonly_fields = ["wg_public_key", "ssh_public_key"]
