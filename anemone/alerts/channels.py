"""The registry channels: every channel admins configured (AlertChannel rows), the contact addresses a
condition names (a silent peer's admin), and the people who opted in to alerts about their own files."""

from __future__ import annotations

from anemone.alerts import registry, services
from anemone.alerts.models import AlertChannel


class ConfiguredChannels(registry.Channel):
    """Each enabled channel that asked for this event gets it, in its own language. A channel that fails is
    recorded on its row (last error) and logged; the others are still told."""

    name = "configured"

    def deliver(self, alert: registry.Alert) -> None:
        for channel in AlertChannel.objects.filter(enabled=True):
            if channel.wants(alert.event):
                services.deliver(channel, alert)


class ContactAddresses(registry.Channel):
    """Addresses a condition carries itself (Finding.also_email: the other friend's admin, from the invitation
    code), told by e-mail whatever the channels are."""

    name = "contacts"

    def deliver(self, alert: registry.Alert) -> None:
        services.tell_contacts(alert)


class People(registry.Channel):
    """Each person the alert concerns who opted in (PersonalAlerts), by e-mail, in their language."""

    name = "people"

    def deliver(self, alert: registry.Alert) -> None:
        services.tell_people(alert)
