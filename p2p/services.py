"""P2P targets shared by the portal, the API and the commands: one per peer.

A target is created when its peer is saved (pairing), never by a read: peers.services announces a
peer saved / disabled / removed (peers.signals) and the receivers below follow — create the target and
its schedule, drop the schedule of a disabled peer, drop target and schedule of a removed one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from anemone.runs import targets
from anemone.runs.models import Run
from p2p import backup
from p2p.models import PeerTarget, UserRepository, default_schedule
from peers.models import Peer
from peers.reciprocity import Reciprocity
from peers.services import folder_usage


def target_for(peer: Peer) -> PeerTarget | None:
    """The peer's target, or None (reads never create one)."""
    return PeerTarget.objects.filter(peer=peer).select_related("peer").first()


def ensure_target(peer: Peer) -> PeerTarget:
    """The peer's target, created with the defaults (nightly, all active users) the first time; its
    schedule follows the peer's state. Called when a peer is saved."""
    target, _created = PeerTarget.objects.get_or_create(peer=peer, defaults=default_schedule())
    sync(target)
    return target


def all_targets() -> list[PeerTarget]:
    return list(PeerTarget.objects.select_related("peer"))


def find_target(peer_name: str) -> PeerTarget | None:
    return PeerTarget.objects.filter(peer__name=peer_name).select_related("peer").first()


def sync(target: PeerTarget) -> None:
    targets.sync_schedule(target)


def on_peer_saved(sender: Any, peer: Peer, created: bool = False, **kwargs: Any) -> None:
    ensure_target(peer)


def on_peer_disabled(sender: Any, peer: Peer, **kwargs: Any) -> None:
    target = target_for(peer)
    if target:
        sync(target)


def on_peer_removed(sender: Any, peer: Peer, **kwargs: Any) -> None:
    """Before the peer's row goes (its target is deleted with it): drop the schedule."""
    for target_id in PeerTarget.objects.filter(peer=peer).values_list("pk", flat=True):
        targets.remove_schedule(PeerTarget, target_id)


def connect_lifecycle() -> None:
    from peers import signals

    signals.peer_saved.connect(on_peer_saved, dispatch_uid="p2p-peer-saved")
    signals.peer_disabled.connect(on_peer_disabled, dispatch_uid="p2p-peer-disabled")
    signals.peer_removed.connect(on_peer_removed, dispatch_uid="p2p-peer-removed")


@transaction.atomic
def save_target(target: PeerTarget, *, users: Any = None, carry_everyone: bool | None = None) -> PeerTarget:
    targets.save_target(target, users=users, carry_everyone=carry_everyone)
    return target


def reciprocity(peer: Peer) -> Reciprocity:
    """From the database and the disk only (no network): pages show it on every render."""
    target = target_for(peer)
    here = folder_usage(peer.folder or peer.name)[0]
    if target is None:
        return Reciprocity(stored_here_bytes=here, stored_there_bytes=0, last_backup_at=None, stale=False)
    there = UserRepository.objects.filter(target=target).aggregate(total=Sum("stored_bytes"), last=Max("last_snapshot_at"))
    last = there["last"]
    carried = target.enabled and target.carried_users().exists()
    stale = carried and (last is None or timezone.now() - last > timedelta(days=target.stale_warning_days))
    return Reciprocity(stored_here_bytes=here, stored_there_bytes=there["total"] or 0,
                       last_backup_at=last, stale=stale)


def last_run(target: PeerTarget) -> Run | None:
    return Run.objects.filter(kind=backup.KIND, target_id=target.pk).first()
