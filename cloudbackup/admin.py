from django.contrib import admin

from cloudbackup.models import Destination


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    """Destinations; sealed secrets are not editable here (use the portal or the API, write-only)."""

    list_display = ["name", "kind", "enabled", "schedule_kind", "retention_days"]
    list_filter = ["kind", "enabled"]
    exclude = ["crypt_password_sealed", "password_sealed", "secret_sealed"]
    readonly_fields = ["host_key", "created_at"]
    filter_horizontal = ["users"]
