"""Alert channels: one `Channel` subclass per way of telling someone (e-mail, Apprise URLs...).

Channels register in an AppConfig.ready(), like run kinds (healthchecks' TRANSPORTS + Transport). Core
decides *what* to say and *when* (anemone.alerts.jobs); a channel only delivers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True)
class Alert:
    """One thing worth telling: what happened, about which target, and where to read more.

    A run's alert (anemone.alerts.jobs) names its run; a condition's (anemone.alerts.conditions: a late
    target, a silent peer, a full disk...) has run_id 0 and carries its own title and body as messages
    (anemone.runs.messages.msg), rendered in each recipient's language, and the path of the page to fix it.
    """

    event: str  # "run-failed", "run-partial", "run-interrupted", "recovered", or a condition's event ("overdue"...)
    kind: str
    target_label: str
    run_id: int
    status: str
    message: str = ""
    people: tuple[int, ...] = field(default=())  # ids of the people whose files it concerns
    target_id: int = 0
    since: datetime | None = None  # when the problem began (for "recovered": how long it lasted)
    key: str = ""  # the Problem's key
    title: dict[str, Any] | None = None  # a condition's title, as a message
    body: dict[str, Any] | None = None  # a condition's explanation and what to do, as a message
    link: str = ""  # a condition's page (a path)
    people_link: str = ""  # its page for the people concerned, when not the admins' one
    also_email: tuple[str, ...] = field(default=())  # addresses outside the channels (a peer's contact)
    also_language: str = ""  # their language ("": the server's default language)


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
