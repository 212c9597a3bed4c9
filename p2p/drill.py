"""The P2P restore drill ("p2p-drill"): a sample of each person's newest snapshot at the peer, restored and
checked (anemone.drills). The repository is reached exactly as backups and restores reach it (p2p.repos)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from anemone.drills import core, restic_copies
from anemone.drills.kinds import DrillError, DrillKind
from anemone.engines import restic
from anemone.files.paths import area_root
from p2p import hints, repos
from p2p.models import PeerTarget

REACH = (restic.Unreachable, restic.AccessRefused, restic.WrongPassword, restic.RepositoryLocked)


def _error(exc: restic.ResticError) -> DrillError:
    """Out of reach (tunnel, login, key): the P2P hint. Anything else while reading data: damage."""
    if isinstance(exc, REACH):  # the peer is gone for everyone (a wrong key or a lock is this person's)
        stop = isinstance(exc, (restic.Unreachable, restic.AccessRefused))
        return DrillError(hints.error_message(exc), hints.hint_message(exc), stop=stop)
    return DrillError(str(exc), damaged=True)


class P2PDrill(DrillKind):
    name = "p2p-drill"
    label = _("P2P restore drill")
    backup_kind = "p2p"
    target_model = PeerTarget

    def newest_copy(self, target: PeerTarget, person: Any) -> core.Copy | None:
        try:
            repo = repos.repository(target, person)
            found = restic.snapshots(repo)
            if not found:
                return None
            return restic_copies.copy_of(repo, found[-1], area_root(person, "backup"))
        except restic.RepositoryMissing:
            return None
        except restic.ResticError as exc:
            raise _error(exc) from exc

    def repair(self, target: PeerTarget, person: Any) -> dict[str, Any] | None:
        try:
            repo = repos.repository(target, person)
        except restic.ResticError:
            return None
        return restic_copies.repair(repo, person.username)

    def fetch(self, target: PeerTarget, person: Any, copy: core.Copy, files: list[core.CopiedFile],
              into: Path) -> None:
        try:
            restic_copies.fetch(repos.repository(target, person), copy, files, into)
        except restic.ResticError as exc:
            raise _error(exc) from exc
