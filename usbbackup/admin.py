"""Django admin of USB jobs and settings (saving goes through the service, so schedules follow)."""

from django.contrib import admin

from anemone.runs.target_admin import BackupTargetAdmin
from usbbackup.models import UsbBackup, UsbSettings


@admin.register(UsbBackup)
class UsbBackupAdmin(BackupTargetAdmin):
    list_display = ["name", "enabled", "scope", "drive_description", "folder", "schedule_kind", "last_seen_at",
                    "last_run", "last_good"]
    list_filter = ["enabled", "scope", "schedule_kind"]
    search_fields = ["name", "drive_uuid", "drive_label"]
    filter_horizontal = ["users"]
    readonly_fields = ["last_mount_point", "last_seen_at", "created_at", "updated_at"]



@admin.register(UsbSettings)
class UsbSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__"]
