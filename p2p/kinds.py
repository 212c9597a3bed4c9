"""P2P's run kinds: the backup to a peer, a person's restore and an admin's everyone-restore from it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from anemone.runs.models import Run
from anemone.runs.registry import RunKind
from anemone.runs.services import Outcome, Tracker
from p2p.models import PeerTarget


class P2PBackup(RunKind):
    """Options: ``users`` (only these people; default everyone carried), ``new_history`` (people whose
    repository vanished at the peer get a new, empty one: an admin's explicit choice)."""

    name = "p2p"
    label = _("P2P backup")
    target_page = "p2p:detail"
    target_model = PeerTarget
    backup = True
    scheduled = True

    def load(self, target_id: int) -> PeerTarget | None:
        return PeerTarget.objects.filter(pk=target_id).select_related("peer").first()

    def targets(self) -> list[Any]:
        return list(PeerTarget.objects.select_related("peer"))

    def label_for(self, target: Any) -> str:
        return target.peer.name

    def prepare(self, run: Run, target: Any) -> None:
        from p2p.backup import allow_new_history

        for person in target.carried_users().filter(username__in=run.options.get("new_history") or []):
            allow_new_history(target, person)  # after the Run exists: a refused start (RunActive) changes nothing

    def body(self, run: Run, tracker: Tracker) -> Outcome:
        from p2p.backup import backup_body

        return backup_body(run, tracker)


class P2PRestore(RunKind):
    """A person's snapshot (or a path in it) back into their area (Run.target_id: the person)."""

    name = "p2p-restore"
    label = _("P2P restore")

    def label_for(self, target: Any) -> str:
        return getattr(target, "username", "")

    def body(self, run: Run, tracker: Tracker) -> Outcome:
        from p2p.restore import restore_body

        return restore_body(run, tracker)


class P2PBulkRestore(P2PRestore):
    """After a disaster: each chosen person's latest snapshot from one peer (Run.target_id: the P2P target)."""

    name = "p2p-bulk-restore"
    label = _("P2P restore of everyone")
    target_model = PeerTarget

    def label_for(self, target: Any) -> str:
        return f"{target.peer.name} → everyone"
