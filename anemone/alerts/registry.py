"""Alert channels: one `Channel` subclass per way of telling someone (e-mail, Apprise URLs...).

Channels register in an AppConfig.ready(), like run kinds (healthchecks' TRANSPORTS + Transport). Core
decides *what* to say and *when* (anemone.alerts.jobs); a channel only delivers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar


@dataclass(frozen=True)
class Alert:
    """One thing worth telling: what happened, about which target, and where to read more."""

    event: str  # "run-failed", "run-partial", "run-interrupted", "recovered" (more come with the operations issue)
    kind: str
    target_label: str
    run_id: int
    status: str
    message: str = ""
    people: tuple[int, ...] = field(default=())  # ids of the people whose files the run concerned
    target_id: int = 0
    since: datetime | None = None  # when the problem began (for "recovered": how long it lasted)


class Channel:
    name: ClassVar[str]

    def deliver(self, alert: Alert) -> None:
        """Send it; raise on failure (the job logs it and goes on with the other channels)."""
        raise NotImplementedError


_CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    _CHANNELS[channel.name] = channel
    return channel


def unregister(name: str) -> None:
    _CHANNELS.pop(name, None)


def channels() -> list[Channel]:
    return list(_CHANNELS.values())
