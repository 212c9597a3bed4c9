from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from anemone.accounts.links import issue_link
from anemone.accounts.models import AccountLink, User


class AddUserAdminForm(forms.ModelForm):
    """Adding a person needs no password: they choose it through their activation link."""

    class Meta:
        model = User
        fields = ["username", "email", "is_staff"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users; the sealed backup key is never shown, only whether one exists."""

    add_form = AddUserAdminForm
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

    def save_model(self, request, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        if not change:
            obj.set_unusable_password()
            obj.is_superuser = obj.is_staff
        super().save_model(request, obj, form, change)
        if not change:
            url = issue_link(obj, AccountLink.ACTIVATE, request.build_absolute_uri("/"))
            messages.info(request, f"Activation link for {obj.username} (24 h): {url}")
