"""Checks 4 and 5 of the seed's checklist, registered into the peers app's health checks."""

from __future__ import annotations

import os
from typing import Any

from anemone.engines import restic
from anemone.files.paths import area_root
from anemone.files.services import TEMP_PREFIX
from anemone.runs import messages, schedules
from anemone.runs.models import RunStatus, ScheduleKind
from p2p import hints, repos, services
from p2p.models import UserRepository
from peers.health import Check, register_check, register_host
from peers.models import Peer


def _nothing_to_back_up(person) -> bool:
    """An empty backup area is skipped by backups (p2p.backup), so no repository is made for it."""
    source = area_root(person, "backup")
    return source.is_dir() and not any(not entry.name.startswith(TEMP_PREFIX) for entry in os.scandir(source))


def check_repositories(peer: Peer) -> Check:
    """Opens each carried person's repository with their key (`restic cat config`), like the seed's
    `restic snapshots` check, without listing everything."""
    target = services.target_for(peer)
    if target is None:
        return Check.of("repository", "pending", messages.msg("p2p.health_no_target"))
    people = list(target.carried_users())
    if not people:
        return Check.of("repository", "pending", messages.msg("p2p.health_nobody"))
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
    if broken:  # restic's own words (the error texts), not ours to translate
        return Check.of("repository", "fail", messages.msg("runs.text", text="; ".join(broken)[:300]),
                        messages.msg("p2p.health_fix_broken"))
    if gone:
        return Check.of("repository", "fail", messages.msg("p2p.health_gone", users=", ".join(gone)),
                        messages.msg("p2p.health_fix_gone"))
    if missing:
        return Check.of("repository", "fail", messages.msg("p2p.health_missing", users=", ".join(missing)),
                        messages.msg("p2p.health_fix_missing"))
    drilled = _drill_failed(target)
    if drilled is not None:
        return drilled
    waiting = messages.msg("p2p.health_nothing_yet", users=", ".join(empty))
    if len(empty) == len(people):
        return Check.of("repository", "pending", waiting)
    opened = messages.msg("p2p.health_opened", count=len(people) - len(empty))
    return Check.of("repository", "ok", messages.joined([opened, waiting]) if empty else opened)


def _drill_failed(target: Any) -> Check | None:
    """Damage a restore drill found is not forgotten: the repositories stay red until a later drill passes, even
    though they open and later backups succeed (restic writes new snapshots over a damaged pack)."""
    from anemone.runs.history import last_drill

    drill = last_drill("p2p", target.pk)
    if drill is None or drill.status == RunStatus.SUCCEEDED:
        return None
    people = ", ".join(sorted(i.user.username for i in drill.items.filter(status=RunStatus.FAILED).select_related("user")
                              if i.user))
    return Check.of("repository", "fail", messages.msg("drills.health_failed", users=people or "—"),
                    messages.msg("drills.health_fix"))


def check_backup(peer: Peer) -> Check:
    target = services.target_for(peer)
    if target is None or not target.enabled or target.schedule_kind == ScheduleKind.OFF:
        return Check.of("backup", "fail", messages.msg("p2p.health_not_scheduled"),
                        messages.msg("p2p.health_fix_schedule"))
    run = services.last_run(target)
    schedule = schedules.describe_message(target)
    if run is None:
        return Check.of("backup", "fail", messages.msg("p2p.health_never_run", schedule=schedule),
                        messages.msg("p2p.health_fix_run"))
    if run.status not in (RunStatus.SUCCEEDED, RunStatus.QUEUED, RunStatus.RUNNING):
        return Check.of("backup", "fail", messages.msg("p2p.health_last_failed", status=messages.msg("runs.status", status=run.status),
                                                       message=hints.first_line(run)),
                        messages.msg("p2p.health_fix_open_run"))
    return Check.of("backup", "ok", messages.msg("p2p.health_ok", schedule=schedule,
                                                 status=messages.msg("runs.status", status=run.status)))


def explicit_host(peer: Peer) -> tuple[str, int] | None:
    """The target's own host (and port) settings, when an admin set them (blank follows the peer)."""
    target = services.target_for(peer)
    return (target.host, repos.port(target)) if target is not None and target.host else None


def register() -> None:
    register_check("repository", check_repositories)
    register_check("backup", check_backup)
    register_host(explicit_host)
