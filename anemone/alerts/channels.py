"""The registry channel that stands for every channel admins configured (AlertChannel rows)."""

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
