"""P2P targets shared by the portal, the API and the commands: one per peer, created on first need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from anemone.runs import schedules
from anemone.runs.models import Run
from p2p import backup
from p2p.models import PeerTarget, UserRepository, default_schedule
from peers.models import Peer
from peers.services import folder_usage


def target_for(peer: Peer) -> PeerTarget:
    """The peer's target, created with the defaults (nightly, all active users) the first time."""
    target, created = PeerTarget.objects.get_or_create(peer=peer, defaults=default_schedule())
    if created:
        schedules.sync_schedule(backup.KIND, target.pk, target, enabled=target.enabled and peer.enabled)
    return target


def ensure_targets() -> list[PeerTarget]:
    return [target_for(peer) for peer in Peer.objects.all()]


def find_target(peer_name: str) -> PeerTarget | None:
    peer = Peer.objects.filter(name=peer_name).first()
    return target_for(peer) if peer else None


@transaction.atomic
def save_target(target: PeerTarget, *, users: Any = None) -> PeerTarget:
    target.full_clean()
    target.save()
    if users is not None:
        target.users.set(users)
    schedules.sync_schedule(backup.KIND, target.pk, target, enabled=target.enabled and target.peer.enabled)
    return target


@dataclass
class Reciprocity:
    """What we keep for a peer against what it keeps for us, and how fresh our copy there is."""

    stored_here_bytes: int
    stored_there_bytes: int
    last_backup_at: datetime | None
    stale: bool

    def as_dict(self) -> dict[str, object]:
        return {"stored_here_bytes": self.stored_here_bytes, "stored_there_bytes": self.stored_there_bytes,
                "last_backup_at": self.last_backup_at, "stale": self.stale}


def reciprocity(peer: Peer) -> Reciprocity:
    target = target_for(peer)
    there = UserRepository.objects.filter(target=target).aggregate(total=Sum("stored_bytes"), last=Max("last_snapshot_at"))
    last = there["last"]
    carried = target.enabled and target.carried_users().exists()
    stale = carried and (last is None or timezone.now() - last > timedelta(days=target.stale_warning_days))
    return Reciprocity(stored_here_bytes=folder_usage(peer.name)[0], stored_there_bytes=there["total"] or 0,
                       last_backup_at=last, stale=stale)


def last_run(target: PeerTarget) -> Run | None:
    return Run.objects.filter(kind=backup.KIND, target_id=target.pk).first()
