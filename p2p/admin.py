from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from anemone.runs.target_admin import BackupTargetAdmin
from p2p.models import PeerTarget, UserRepository


@admin.register(PeerTarget)
class PeerTargetAdmin(BackupTargetAdmin):
    """Targets (one per peer, created with the peer). Saving here re-syncs the schedule."""

    list_display = ["peer", "enabled", "schedule_kind", "keep_last", "keep_daily", "keep_weekly", "keep_monthly",
                    "last_run", "last_good"]
    list_filter = ["enabled", "schedule_kind"]
    filter_horizontal = ["users"]
    readonly_fields = ["peer", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # one per peer, made by the app



@admin.register(UserRepository)
class UserRepositoryAdmin(admin.ModelAdmin):
    """Read-only: what the runs learnt about each person's repository on each peer."""

    list_display = ["user", "target", "last_snapshot_at", "snapshots_count", "stored_bytes", "last_verified_at",
                    "last_verify_ok", "history_missing", "problem"]
    list_filter = ["target", "history_missing"]
    actions = ["start_new_history"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Start a new history at the peer (the next backup creates an empty repository)"))
    def start_new_history(self, request, queryset) -> None:
        """The explicit admin choice after a repository vanished at the peer (p2p.backup.allow_new_history)."""
        from p2p import backup

        for record in queryset.select_related("target", "user"):
            backup.allow_new_history(record.target, record.user)
        self.message_user(request, _("The next backup starts a new history for %(count)d repositories.")
                          % {"count": queryset.count()})

    def has_change_permission(self, request, obj=None) -> bool:
        return False
