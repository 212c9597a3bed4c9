from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "anemone.alerts"
    label = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        """The channels admins configure (AlertChannel rows) plug into the seam as one registry channel."""
        from anemone.alerts import channels, registry

        registry.register(channels.ConfiguredChannels())
        registry.register(channels.ContactAddresses())
