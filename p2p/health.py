"""Checks 4 and 5 of the seed's checklist, registered into the peers app's health checks."""

from __future__ import annotations

import os

from anemone.engines import restic
from anemone.files.paths import area_root
from anemone.files.services import TEMP_PREFIX
from anemone.runs.models import RunStatus, ScheduleKind
from anemone.runs.schedules import describe
from p2p import repos, services
from p2p.models import UserRepository
from peers.health import Check, register_check, register_host
from peers.models import Peer

REPOSITORY_LABEL = "Repository present for each carried user"
BACKUP_LABEL = "Backup scheduled and last run succeeded"


def _nothing_to_back_up(person) -> bool:
    """An empty backup area is skipped by backups (p2p.backup), so no repository is made for it."""
    source = area_root(person, "backup")
    return source.is_dir() and not any(not entry.name.startswith(TEMP_PREFIX) for entry in os.scandir(source))


def check_repositories(peer: Peer) -> Check:
    """Opens each carried person's repository with their key (`restic cat config`), like the seed's
    `restic snapshots` check, without listing everything."""
    target = services.target_for(peer)
    if target is None:
        return Check("repository", REPOSITORY_LABEL, "pending", "no P2P target for this peer yet")
    people = list(target.carried_users())
    if not people:
        return Check("repository", REPOSITORY_LABEL, "pending", "nobody to back up yet")
    missing: list[str] = []
    broken: list[str] = []
    empty: list[str] = []
    gone: list[str] = []
    had_history = set(UserRepository.objects.filter(target=target).exclude(initialised_at=None, last_snapshot_id="")
                      .values_list("user__username", flat=True))
    for person in people:
        try:
            if not restic.exists(repos.repository(target, person), timeout=60):
                if person.username in had_history:  # not a first backup: p2p.backup will not re-create it
                    gone.append(person.username)
                else:
                    (empty if _nothing_to_back_up(person) else missing).append(person.username)
        except restic.ResticError as exc:
            broken.append(f"{person.username}: {exc}")
            if isinstance(exc, restic.Unreachable):
                break
    if broken:
        return Check("repository", REPOSITORY_LABEL, "fail", "; ".join(broken)[:300],
                     "Check checks 1–3; a wrong key means the folder holds someone else's repository.")
    if gone:
        return Check("repository", REPOSITORY_LABEL, "fail",
                     "repository missing at the friend's server: history gone for " + ", ".join(gone),
                     "Ask your friend whether their backup disk is mounted; if the history is really lost, "
                     "P2P → this peer → Start a new history.")
    if missing:
        return Check("repository", REPOSITORY_LABEL, "fail", "no repository yet for " + ", ".join(missing),
                     "Run a backup (P2P → Back up now): missing repositories are created automatically.")
    waiting = f"nothing to back up yet for {', '.join(empty)}"
    if len(empty) == len(people):
        return Check("repository", REPOSITORY_LABEL, "pending", waiting)
    opened = f"{len(people) - len(empty)} repositories open with their owners' keys"
    return Check("repository", REPOSITORY_LABEL, "ok", f"{opened}; {waiting}" if empty else opened)


def check_backup(peer: Peer) -> Check:
    target = services.target_for(peer)
    if target is None or not target.enabled or target.schedule_kind == ScheduleKind.OFF:
        return Check("backup", BACKUP_LABEL, "fail", "no backup is scheduled to this peer",
                     "P2P → this peer → Edit: enable it and choose a schedule.")
    run = services.last_run(target)
    if run is None:
        return Check("backup", BACKUP_LABEL, "fail", f"scheduled ({describe(target)}), never run yet",
                     "Click Back up now, or wait for the schedule.")
    if run.status not in (RunStatus.SUCCEEDED, RunStatus.QUEUED, RunStatus.RUNNING):
        return Check("backup", BACKUP_LABEL, "fail", f"last run {run.status}: {run.shown_message.splitlines()[0][:200] if run.shown_message else ''}",
                     "Open the run for the failing step and what to do.")
    return Check("backup", BACKUP_LABEL, "ok", f"{describe(target)}; last run {run.status}")


def explicit_host(peer: Peer) -> tuple[str, int] | None:
    """The target's own host (and port) settings, when an admin set them (blank follows the peer)."""
    target = services.target_for(peer)
    return (target.host, repos.port(target)) if target is not None and target.host else None


def register() -> None:
    register_check("repository", check_repositories)
    register_check("backup", check_backup)
    register_host(explicit_host)
