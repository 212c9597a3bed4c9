from django.contrib import admin

from p2p.models import PeerTarget, UserRepository


@admin.register(PeerTarget)
class PeerTargetAdmin(admin.ModelAdmin):
    """Targets (one per peer, created with the peer). Saving here re-syncs the schedule."""

    list_display = ["peer", "enabled", "schedule_kind", "keep_last", "keep_daily", "keep_weekly", "keep_monthly"]
    list_filter = ["enabled", "schedule_kind"]
    filter_horizontal = ["users"]
    readonly_fields = ["peer", "created_at"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # one per peer, made by the app

    def save_related(self, request, form, formsets, change) -> None:  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        from p2p import services

        services.save_target(form.instance)


@admin.register(UserRepository)
class UserRepositoryAdmin(admin.ModelAdmin):
    """Read-only: what the runs learnt about each person's repository on each peer."""

    list_display = ["user", "target", "last_snapshot_at", "snapshots_count", "stored_bytes", "last_verified_at",
                    "last_verify_ok"]
    list_filter = ["target"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
