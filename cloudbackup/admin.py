"""Django admin of destinations: the portal's form (write-only secrets), saved through the service so the
schedule follows, deleted through it so no orphan schedule keeps firing."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from anemone.runs.target_admin import BackupTargetAdmin
from cloudbackup import connection, services
from cloudbackup.forms import DestinationForm
from cloudbackup.models import Destination


@admin.register(Destination)
class DestinationAdmin(BackupTargetAdmin):
    form = DestinationForm  # checks who is carried itself, like the portal
    list_display = ["name", "kind", "enabled", "schedule_kind", "retention_days", "last_run", "last_good"]
    list_filter = ["kind", "enabled"]
    exclude = ["crypt_password_sealed", "password_sealed", "secret_sealed"]
    readonly_fields = ["host_key", "created_at"]
    actions = ["back_up_now", "test_connection"]

    def save_model(self, request, obj, form, change) -> None:
        services.apply_secrets(obj, form.secrets())
        super().save_model(request, obj, form, change)

    def save_target(self, target: Destination) -> None:
        services.save_destination(target)  # re-checks and mirrors the schedule into django-q2

    @admin.action(description=_("Test connection"))
    def test_connection(self, request, queryset) -> None:
        """The portal's "Test connection" for each destination ticked: the same checks, the same messages."""
        for dest in queryset:
            result = connection.test_connection(dest)
            self.message_user(request, f"{dest.name}: {result.message}", level=messages.SUCCESS if result.ok else messages.ERROR)

