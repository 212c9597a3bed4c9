from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm

from anemone.accounts import last_admin
from anemone.accounts.links import issue_link
from anemone.accounts.models import AccountLink, ApiToken, User


class AddUserAdminForm(forms.ModelForm):
    """Adding a person needs no password: they choose it through their activation link."""

    class Meta:
        model = User
        fields = ["username", "email", "is_staff"]


class ChangeUserAdminForm(UserChangeForm):
    """Django's change form plus the last-admin rule, shown as a form error."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            try:
                last_admin.check_change(self.instance, is_admin=cleaned.get("is_staff", self.instance.is_staff),
                                        is_active=cleaned.get("is_active", self.instance.is_active))
            except last_admin.LastAdminError as error:
                raise forms.ValidationError(error.messages[0], code="last_admin") from error
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users; the sealed backup key is never shown, only whether one exists."""

    add_form = AddUserAdminForm
    form = ChangeUserAdminForm
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

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.set_unusable_password()
        obj.is_superuser = obj.is_staff  # one notion of admin, as in the portal and the API
        super().save_model(request, obj, form, change)
        if not change:
            url = issue_link(obj, AccountLink.ACTIVATE)
            messages.info(request, f"Activation link for {obj.username} (24 h): {url}")

    def get_deleted_objects(self, objs, request):
        """Deleting the last active admin (one page or the bulk action) is refused like a protected object:
        Django's confirmation page then lists the reason and offers no "Yes"."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        try:
            last_admin.check_delete(list(objs))
        except last_admin.LastAdminError as error:
            protected = [*protected, error.messages[0]]
        return deleted, counts, perms_needed, protected


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens by person and name. Only a digest is stored and nothing of it is shown; admins can
    revoke (delete) a token, not create one for someone else (a person creates theirs and sees it once)."""

    list_display = ["user", "name", "created", "expiry"]
    list_filter = ["user"]
    search_fields = ["user__username", "name"]
    fields = ("user", "name", "created", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
