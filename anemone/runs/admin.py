from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from anemone.runs.models import Run, RunItem


class RunItemInline(admin.TabularInline):
    model = RunItem
    extra = 0
    can_delete = False
    readonly_fields = ["user", "label", "status", "files", "bytes", "errors", "stats", "message", "finished_at"]
    fields = list(readonly_fields)


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    """Read-only history: runs are written by the runner only."""

    list_display = ["id", "kind", "target_label", "trigger", "status", "queued_at", "duration", "size"]
    list_filter = ["kind", "status", "trigger"]
    search_fields = ["target_label", "message"]
    inlines = [RunItemInline]

    @admin.display(description="duration")
    def duration(self, run: Run) -> str:
        seconds = run.duration_seconds
        return "" if seconds is None else f"{seconds:.0f} s"

    @admin.display(description="bytes", ordering="bytes_done")
    def size(self, run: Run) -> str:
        return filesizeformat(run.bytes_done)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
