"""Django admin for peers: every save, delete and bulk action goes through peers.services, like the
portal, the API and the CLI (cached logins revoked, tunnel re-synced, P2P target created/unscheduled)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from peers import services
from peers.models import IncomingFolder, Peer, ServerIdentity


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):
    list_display = ["name", "endpoint", "allowed_ips", "enabled", "folder", "last_write_at", "silent_after_days",
                    "created_at"]
    list_filter = ["enabled"]
    readonly_fields = ["folder", "health_checked_at", "unreachable_since", "last_write_at", "stored_bytes",
                       "host_status", "host_status_read_at"]
    actions = ["disable_selected", "enable_selected"]

    def save_model(self, request: HttpRequest, obj: Peer, form, change: bool) -> None:
        services.save_peer(obj)

    def delete_model(self, request: HttpRequest, obj: Peer) -> None:
        services.remove_peer(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Peer]) -> None:
        for peer in queryset:
            services.remove_peer(peer)

    @admin.action(description=_("Disable the selected peers"))
    def disable_selected(self, request: HttpRequest, queryset: QuerySet[Peer]) -> None:
        for peer in queryset:
            services.set_enabled(peer, False)
        self.message_user(request, _("Peers disabled: their access was revoked."), messages.SUCCESS)

    @admin.action(description=_("Enable the selected peers"))
    def enable_selected(self, request: HttpRequest, queryset: QuerySet[Peer]) -> None:
        for peer in queryset:
            services.set_enabled(peer, True)


@admin.register(ServerIdentity)
class ServerIdentityAdmin(admin.ModelAdmin):
    """Public parts only: the private WireGuard key is sealed and never shown. Saved through
    services.update_identity (the tunnel follows a changed address)."""

    list_display = ["vpn_address", "endpoint", "listen_port", "sftp_port", "interface", "contact_email"]
    exclude = ["wg_private_sealed"]
    readonly_fields = ["wg_public_key", "ssh_public_key"]

    def save_model(self, request: HttpRequest, obj: ServerIdentity, form, change: bool) -> None:
        services.update_identity(**{name: getattr(obj, name) for name in
                                    ("endpoint", "vpn_address", "listen_port", "sftp_port", "interface",
                                     "contact_email", "contact_language")})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one identity, made at setup


@admin.register(IncomingFolder)
class IncomingFolderAdmin(admin.ModelAdmin):
    """Which identity owns which folder of incoming/ (read only: folders follow pairing)."""

    list_display = ["name", "wg_public_key", "created_at"]
    readonly_fields = ["name", "wg_public_key", "ssh_key_blob", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
