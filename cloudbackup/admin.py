"""Django admin of destinations: the portal's form (write-only secrets), saved through the service so the
schedule follows, deleted through it so no orphan schedule keeps firing."""

from django.contrib import admin

from cloudbackup import services
from cloudbackup.forms import DestinationForm
from cloudbackup.models import Destination


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    form = DestinationForm
    list_display = ["name", "kind", "enabled", "schedule_kind", "retention_days"]
    list_filter = ["kind", "enabled"]
    exclude = ["crypt_password_sealed", "password_sealed", "secret_sealed"]
    readonly_fields = ["host_key", "created_at"]

    def save_model(self, request, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        services.apply_secrets(obj, form.secrets())
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        services.save_destination(form.instance)  # re-checks and mirrors the schedule into django-q2

    def delete_model(self, request, obj) -> None:  # type: ignore[no-untyped-def]
        services.delete_destination(obj)

    def delete_queryset(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        for dest in queryset:
            services.delete_destination(dest)
