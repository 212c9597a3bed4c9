"""Django admin of alert channels (the portal's form: the Apprise URL write-only) with a "send a test" action,
and the open problems, read-only (the alerts job owns them)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from anemone.alerts import services
from anemone.alerts.forms import AlertChannelForm
from anemone.alerts.models import AlertChannel, PersonalAlerts, Problem


@admin.register(AlertChannel)
class AlertChannelAdmin(admin.ModelAdmin):
    form = AlertChannelForm
    list_display = ["name", "kind", "enabled", "language", "url_is_set", "last_sent_at", "last_error"]
    list_filter = ["kind", "enabled"]
    readonly_fields = ["last_sent_at", "last_error", "last_error_at", "created_at"]
    actions = ["send_test"]

    @admin.display(boolean=True, description=_("Apprise URL set"))
    def url_is_set(self, channel: AlertChannel) -> bool:
        return channel.url_set

    @admin.action(description=_("Send a test message"))
    def send_test(self, request, queryset) -> None:
        for channel in queryset:
            ok, said = services.send_test(channel)
            self.message_user(request, said, messages.SUCCESS if ok else messages.ERROR)


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["key", "target_label", "since", "last_run", "events_sent"]
    list_filter = ["watch", "kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PersonalAlerts)
class PersonalAlertsAdmin(admin.ModelAdmin):
    """Each person chooses for themselves (their account page); admins see who is told where."""

    list_display = ["user", "enabled", "email", "last_sent_at", "last_error"]
    list_filter = ["enabled"]
    readonly_fields = ["last_sent_at", "last_error"]
