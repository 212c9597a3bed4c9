from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "anemone.alerts"
    label = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        """The channels admins configure (AlertChannel rows) plug into the seam as one registry channel."""
        from anemone.alerts import channels, conditions, registry, watches

        registry.register(channels.ConfiguredChannels())
        registry.register(channels.ContactAddresses())
        registry.register(channels.People())
        for watch in (watches.Overdue(), watches.Space(), watches.Smart()):
            conditions.register(watch)
