"""Django admin of USB jobs and settings (saving goes through the service, so schedules follow)."""

from django.contrib import admin

from usbbackup import services
from usbbackup.models import UsbBackup, UsbSettings


@admin.register(UsbBackup)
class UsbBackupAdmin(admin.ModelAdmin):
    list_display = ["name", "enabled", "scope", "drive_description", "folder", "schedule_kind", "last_seen_at"]
    list_filter = ["enabled", "scope", "schedule_kind"]
    search_fields = ["name", "drive_uuid", "drive_label"]
    filter_horizontal = ["users"]
    readonly_fields = ["last_mount_point", "last_seen_at", "created_at", "updated_at"]

    def save_related(self, request, form, formsets, change) -> None:  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        services.save_job(form.instance)

    def delete_model(self, request, obj) -> None:  # type: ignore[no-untyped-def]
        services.delete_job(obj)

    def delete_queryset(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        for job in queryset:
            services.delete_job(job)


@admin.register(UsbSettings)
class UsbSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__"]
