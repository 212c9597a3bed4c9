"""Django admin: device passwords are seen (never their hash) and deleted (= revoked), not edited."""

from django.contrib import admin

from anemone.shares.models import DevicePassword, ShareAccess


@admin.register(DevicePassword)
class DevicePasswordAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at", "last_used_at"]
    list_filter = ["user"]
    fields = ["name", "user", "created_at", "last_used_at"]
    readonly_fields = ["name", "user", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False  # created by the person (page, API, CLI): the value must be shown to them once

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ShareAccess)
class ShareAccessAdmin(admin.ModelAdmin):
    list_display = ["user", "enabled"]
    list_editable = ["enabled"]
