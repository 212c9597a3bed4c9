"""The sending side's reading of what a host says about our folder there (its status file, peers.hosting).

p2p reads the file over SFTP at each backup and health check and stores it here (``store``); this module
only judges what was stored, without any network: the health check "what the host says" and the
``peer-host-lost`` watch use the same verdict. Our side of the comparison (our last successful backup and
what we stored there) comes from peers.reciprocity, the seam p2p fills.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from anemone.runs import messages
from peers.models import Peer
from peers.reciprocity import reciprocity

if TYPE_CHECKING:
    from peers.health import Check

SLACK = timedelta(days=1)  # clocks differ and a snapshot's time is when its backup started
SEEN_AFTER = timedelta(hours=1)  # a backup the host's clock is this far past has been noticed by it


def parse(data: object) -> dict[str, Any]:
    """The fields we use, checked (the file comes from another server): {} when it is not a status."""
    if not isinstance(data, dict) or type(data.get("version")) is not int:
        return {}
    out: dict[str, Any] = {"version": data["version"]}
    for name in ("host_time", "last_write_at"):
        value = data.get(name)
        out[name] = value if isinstance(value, str) and parse_datetime(value) else None
    for name in ("stored_bytes", "cap_bytes", "repositories"):
        value = data.get(name)
        out[name] = value if type(value) is int and value >= 0 else 0
    return out


def store(peer: Peer, status: dict[str, Any], error: str = "") -> None:
    """Keep what the host said (or why it could not be read) for the pages, the check and the watch."""
    said = {**status, "error": error[:300]} if error else status
    now = timezone.now()
    Peer.objects.filter(pk=peer.pk).update(host_status=said, host_status_read_at=now)
    peer.host_status, peer.host_status_read_at = said, now


def when(value: str | datetime | None) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def lost(peer: Peer, status: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The "host may have lost our data" message, or None: the host reports 0 bytes after we stored data,
    or its last write from us is older than our last successful backup there by more than a day. Only a
    backup the host has had time to notice counts (it notes writes within minutes, then rewrites the file):
    one that began less than an hour before the file was written may not be in it yet."""
    status = peer.host_status if status is None else status
    if not status or status.get("error") or not status.get("version"):
        return None
    ours = reciprocity(peer)
    if ours.last_backup_at is None:
        return None  # nothing sent yet: nothing to lose
    host_last = parse_datetime(status["last_write_at"]) if status.get("last_write_at") else None
    host_time = parse_datetime(status["host_time"]) if status.get("host_time") else None
    if host_time is None or ours.last_backup_at > host_time - SEEN_AFTER:
        return None
    emptied = ours.stored_there_bytes > 0 and not status.get("stored_bytes")
    behind = host_last is None or ours.last_backup_at - host_last > SLACK
    if not (emptied or behind):
        return None
    return messages.msg("peers.lost_body", peer=peer.name, host_last=when(host_last) or messages.msg("peers.host_never"),
                        host_bytes=status.get("stored_bytes", 0), ours=when(ours.last_backup_at),
                        our_bytes=ours.stored_there_bytes)


def summary(peer: Peer) -> dict[str, Any]:
    """What the host said, as one message (the health check's detail)."""
    status = peer.host_status or {}
    if peer.host_status_read_at is None:
        return messages.msg("peers.host_not_read")
    if status.get("error") or not status.get("version"):
        return messages.msg("peers.host_unreadable", error=status.get("error", ""))
    return messages.msg("peers.host_says", last=when(status.get("last_write_at")) or messages.msg("peers.host_never"),
                        bytes=status.get("stored_bytes", 0),
                        cap=status.get("cap_bytes") or messages.msg("peers.host_no_cap"),
                        clock=when(status.get("host_time")))


def as_check(peer: Peer) -> Check:
    """The health page's "what the host says": ok, "may have lost our data" (fail), or not known (pending)."""
    from peers.health import Check

    said = summary(peer)
    status = peer.host_status or {}
    if peer.host_status_read_at is None:
        return Check.of("host", "pending", said)
    if status.get("error") or not status.get("version"):
        return Check.of("host", "pending", said, messages.msg("peers.fix_host_update"))
    problem = lost(peer)
    if problem is not None:
        return Check.of("host", "fail", problem, messages.msg("peers.fix_host_lost"))
    return Check.of("host", "ok", said)
