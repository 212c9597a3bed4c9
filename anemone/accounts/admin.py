from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from anemone.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users; the sealed backup key is never shown, only whether one exists."""

    list_display = ["username", "email", "is_staff", "is_active", "activated_at", "usage_backup_bytes"]
    readonly_fields = ["activated_at", "has_backup_key", "usage_backup_bytes", "usage_data_bytes", "last_login"]
    fieldsets = [
        (None, {"fields": ["username", "email", "language", "is_active", "is_staff"]}),
        ("Quotas", {"fields": ["quota_total_bytes", "quota_backup_bytes", "usage_backup_bytes", "usage_data_bytes"]}),
        ("State", {"fields": ["activated_at", "has_backup_key", "last_login"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "email", "is_staff"]})]

    @admin.display(boolean=True, description="backup key set")
    def has_backup_key(self, user: User) -> bool:
        return user.has_backup_key
